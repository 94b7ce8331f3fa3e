package view

import (
	"strings"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// ResultRow is one order in a list (search results, recently viewed,
// expiring soon), from the local index.
type ResultRow struct {
	ID                 string
	Href               string
	Status             Badge
	Amount             Money
	Remaining          Money
	ProviderReference  string
	MerchantReference1 string
	MerchantReference2 string
	Customer           string
	Email              string
	Created            Time
	Expires            Time
	ExpiresRelative    string // "in 2 days"; set in the expiring-soon list
	Viewed             Time   // set in the recently-viewed list
	// Matched names the field a search matched, such as "Capture
	// reference: DN-855912"; "" outside search results.
	Matched string
	// LastRead is when the order was last read from the provider (index
	// rows are as true as that read; the background refresh keeps open
	// orders recent).
	LastRead Time
}

// Option is one choice of a select.
type Option struct {
	Value, Label string
	Selected     bool
}

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
	// ExportHref downloads every order of this list as CSV.
	ExportHref string
	// Bulk is the bulk form and the rows' checkboxes; nil for members
	// who do not change orders.
	Bulk *BulkBar
}

// NewSearchView builds the search page from a page of index results.
// cursor is the cursor this page was fetched with ("" for the first).
func NewSearchView(q, status, cursor string, page orders.SearchPage, loc *time.Location, numbers string) SearchView {
	return NewListView(q, status, ListFilter{}, cursor, page, loc, numbers)
}

// NewListView is NewSearchView with the order list's filters, which the
// pager and the CSV export keep.
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

// Row is one index row as a list row.
func Row(o orders.IndexedOrder, loc *time.Location, numbers string) ResultRow {
	return ResultRow{
		ID:                 o.OrderID,
		Href:               OrderPath(o.OrderID),
		Status:             statusBadge(o.Status),
		Amount:             newMoney(o.Amount, o.Currency, numbers),
		Remaining:          newMoney(o.RemainingAuthorized, o.Currency, numbers),
		ProviderReference:  orDash(o.KlarnaReference),
		MerchantReference1: orDash(o.MerchantReference1),
		MerchantReference2: o.MerchantReference2,
		Customer:           orDash(o.CustomerName),
		Email:              o.Email,
		Created:            newTime(o.CreatedAt, loc),
		Expires:            newTime(o.ExpiresAt, loc),
		Viewed:             newTime(o.ViewedAt, loc),
		LastRead:           newTime(o.LastReadAt, loc),
		Matched:            matchedText(o.Matched),
	}
}

func matchedText(m orders.MatchedField) string {
	if m.Kind == "" {
		return ""
	}
	return m.Kind.Label() + ": " + m.Value
}

// Query hints.
const (
	// MaxQueryLen is the longest query searched; references are at most
	// 255 characters, names 100.
	MaxQueryLen = 255
)

// QueryHint returns a hint for a query that looks like a mistake, or "".
// Queries with a hint are still searched (an order id prefix is a valid
// search), the hint only tells the agent what an order id looks like.
func QueryHint(q string) string {
	q = strings.TrimSpace(q)
	if q == "" {
		return ""
	}
	if len([]rune(q)) > MaxQueryLen {
		return "That search is too long: type the start of a reference, e-mail address or name (at most 255 characters)."
	}
	for _, r := range q {
		if r < 0x20 || r == 0x7f {
			return "That search contains control characters; type a reference, e-mail address, name or order id."
		}
	}
	if looksLikeBrokenOrderID(q) {
		return "“" + q + "” looks like an order id but is not a complete one: an order id has 32 hexadecimal digits in groups of 8-4-4-4-12, like 0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11. Orders already seen are still matched by the start of their id."
	}
	return ""
}

// looksLikeBrokenOrderID: a UUID-shaped string with a wrong character,
// or hexadecimal digits and dashes whose groups break the 8-4-4-4-12 shape
// (too long a group, too many groups). A clean prefix of an id, such as
// "0b0d9c34-5a5c", is a fine search and gets no hint.
func looksLikeBrokenOrderID(q string) bool {
	if omclient.ValidOrderID(q) || !strings.Contains(q, "-") {
		return false
	}
	if len(q) == 36 && q[8] == '-' && q[13] == '-' && q[18] == '-' && q[23] == '-' {
		return true
	}
	for _, r := range q {
		if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	if len(q) < 9 {
		return false
	}
	groups := strings.Split(q, "-")
	want := []int{8, 4, 4, 4, 12}
	if len(groups) > len(want) {
		return true
	}
	for i, g := range groups {
		last := i == len(groups)-1
		if (!last && len(g) != want[i]) || len(g) > want[i] {
			return true
		}
	}
	return false
}

// HomeView is the start page.
type HomeView struct {
	Recent   []ResultRow // the orders this agent opened last, newest first
	Expiring []ResultRow // open authorizations expiring within ExpiringWithin, soonest first
	Notices  HomeNotices // decisions, approvals and reviews waiting for this member
	Shop     HomeShop    // orders out of step with the shop (home_shop.go)
}

// NewHomeView builds the start page.
func NewHomeView(recent, expiring []orders.IndexedOrder, now time.Time, loc *time.Location, numbers string) HomeView {
	if loc == nil {
		loc = time.UTC
	}
	var v HomeView
	for _, o := range recent {
		v.Recent = append(v.Recent, Row(o, loc, numbers))
	}
	for _, o := range expiring {
		r := Row(o, loc, numbers)
		r.ExpiresRelative = relative(o.ExpiresAt, now, loc)
		v.Expiring = append(v.Expiring, r)
	}
	return v
}
