package view

import (
	"strings"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// SearchView is the search page and its results region.
type SearchView struct {
	Query    string
	Status   string
	Statuses []Option
	Rows     []ResultRow
	// NextHref fetches the next page (the same query with the cursor); ""
	// on the last page.
	NextHref string
	// FirstHref goes back to the first page when this is a later one.
	FirstHref string
	// Hint explains a query that cannot match what the agent meant (a
	// broken order id, an over-long query): shown above the results.
	Hint string
	// Lookup is the provider's answer to a query that was an order id and
	// could not be opened (unknown order, provider down).
	Lookup *ProviderErrorView
	// Empty is the sentence shown when there are no rows.
	Empty string
	// Filter is the list's filters beyond the status, as typed.
	Filter ListFilter
	// Shop names the connected shop; "" hides the "out of step with the
	// shop" filter (unless the address sets it).
	Shop string
	// ExportHref downloads every order of this list as CSV.
	ExportHref string
	// Bulk is the bulk form and the rows' checkboxes; nil for members
	// who do not change orders.
	Bulk *BulkBar
}

// NewListView builds the search page from a page of index results, with
// the order list's filters, which the pager and the CSV export keep.
// cursor is the cursor this page was fetched with ("" for the first).
func NewListView(q, status string, f ListFilter, cursor string, page orders.SearchPage, loc *time.Location, numbers string) SearchView {
	if loc == nil {
		loc = time.UTC
	}
	v := SearchView{Query: q, Status: status, Statuses: statusOptions(status), Filter: f,
		ExportHref: ListHref("/orders/export.csv", q, status, f, "")}
	for _, o := range page.Orders {
		v.Rows = append(v.Rows, Row(o, loc, numbers))
	}
	if page.NextCursor != "" {
		v.NextHref = ListHref("/orders", q, status, f, page.NextCursor)
	}
	if cursor != "" {
		v.FirstHref = ListHref("/orders", q, status, f, "")
	}
	switch {
	case len(v.Rows) > 0:
	case len(f.Errors) > 0:
		v.Empty = "Correct the filters marked above to see the orders."
	case f.Active():
		v.Empty = "No orders in the index match these filters."
	case strings.TrimSpace(q) == "" && status == "":
		v.Empty = "No orders in the index yet. Search for an order id to fetch an order from the provider."
	case strings.TrimSpace(q) == "":
		v.Empty = "No " + strings.ToLower(StatusText(omclient.Status(status))) + " orders in the index."
	default:
		v.Empty = "No orders match “" + q + "”. The index holds orders the back office has seen; an order id finds any order."
	}
	return v
}

// statusOptions are the choices of the status filter, with "Any status"
// first.
func statusOptions(selected string) []Option {
	opts := []Option{{Value: "", Label: "Any status", Selected: selected == ""}}
	for _, s := range omclient.Statuses {
		opts = append(opts, Option{Value: string(s), Label: StatusText(s), Selected: string(s) == selected})
	}
	return opts
}

// ValidStatus reports whether s is "" or an order status; the handler
// ignores anything else rather than failing the page.
func ValidStatus(s string) bool {
	if s == "" {
		return true
	}
	for _, st := range omclient.Statuses {
		if string(st) == s {
			return true
		}
	}
	return false
}
