package handlers

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// searchOrders answers the search box. An order id is looked up at the
// provider directly and opens the order page; anything else is matched
// against the local index (words of names, e-mails and references, case
// and accents aside; phone numbers by digits), 25 per page, newest first;
// an exact reference opens its order. htmx requests (as-you-type, the
// status filter, the pager) get only the inside of #results.
func (h *Handlers) searchOrders(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	status := strings.ToUpper(strings.TrimSpace(c.QueryParam("status")))
	if !view.ValidStatus(status) {
		status = ""
	}
	cursor := c.QueryParam("cursor")
	loc := agentZone(c)
	// One address per list: the filter form's empty fields and a
	// currency's case are dropped, so the address bar, bookmarks and the
	// back button read as the list does.
	if canonical := view.ListHref("/orders", q, status, form.ListFilter(c.QueryParams()), cursor); !sameQuery(c, canonical) {
		if !isHTMX(c) {
			return c.Redirect(http.StatusSeeOther, canonical)
		}
		c.Response().Header().Set(hxPushURL, canonical)
	}

	searchable := q != "" && len([]rune(q)) <= view.MaxQueryLen
	// An exact reference or id opens its order. A submitted search (the
	// search box on any other page) or a whole id (of a capture or refund
	// too) asks the index for the one order that holds it exactly; as you
	// type, a reference opens only when its order is the query's only
	// match, so that a pause after "SO-12" on the way to "SO-123" does not
	// jump to order SO-12 while SO-123 exists.
	unfiltered := status == "" && cursor == "" && !form.ListFilter(c.QueryParams()).Active()
	if searchable && unfiltered && (!isHTMX(c) || omclient.ValidOrderID(q)) {
		id, ok, err := h.Index.FindExact(c.Request().Context(), q)
		if err != nil {
			return err
		}
		if ok {
			return redirect(c, view.OrderPath(id))
		}
	}
	var lookup *view.ProviderErrorView
	httpStatus := http.StatusOK
	if omclient.ValidOrderID(q) {
		o, err := h.readOrder(c, q)
		if err == nil {
			return redirect(c, view.OrderPath(o.OrderID))
		}
		if c.Request().Context().Err() != nil {
			return err
		}
		v := view.FromProviderError(omclient.FailureOf(err), q, h.Provider)
		lookup, httpStatus = &v, v.Status
	}

	hint := view.QueryHint(q)
	var page orders.SearchPage
	sq, filter, err := h.listQuery(c, q, status, loc)
	if err != nil {
		return err
	}
	if len(filter.Errors) > 0 {
		httpStatus = http.StatusBadRequest
	} else if len([]rune(q)) <= view.MaxQueryLen {
		sq.Cursor = cursor
		page, err = h.Index.Search(c.Request().Context(), sq)
		if errors.Is(err, orders.ErrBadCursor) {
			hint = "That page link is out of date; showing the first page."
			cursor, sq.Cursor = "", ""
			page, err = h.Index.Search(c.Request().Context(), sq)
		}
		if err != nil {
			return err
		}
	}
	if searchable && unfiltered && lookup == nil && len(page.Orders) == 1 && page.NextCursor == "" {
		if m := page.Orders[0].Matched; m.Exact && m.Kind.Reference() {
			return redirect(c, view.OrderPath(page.Orders[0].OrderID))
		}
	}
	v := view.NewListView(q, status, filter, cursor, page, loc, h.numbers(c))
	v.Hint, v.Lookup = hint, lookup
	v.Bulk = h.bulkBar(c, q, status, filter)
	if h.Shop != nil {
		v.Shop = h.shopName()
	}

	fromStatusFilter := c.Request().Header.Get(hxTrigger) == "status-filter"
	fragment := templates.SearchResults(v, true, !fromStatusFilter)
	if isHTMX(c) {
		return respond(c, httpStatus, view.Page{}, nil, fragment)
	}
	p := h.page(c, "Orders", view.NavOrders)
	p.Query = q
	return respond(c, httpStatus, p, templates.SearchPage(v), fragment)
}

// listQuery reads the order list's filters from the request. The "has an
// unknown outcome" filter asks the audit log which orders have one.
func (h *Handlers) listQuery(c echo.Context, q, status string, loc *time.Location) (orders.SearchQuery, view.ListFilter, error) {
	return h.listQueryFrom(c, c.QueryParams(), q, status, loc)
}

// listQueryFrom is listQuery with the filters read from vals (the bulk
// form carries the list's query in a field).
func (h *Handlers) listQueryFrom(c echo.Context, vals url.Values, q, status string, loc *time.Location) (orders.SearchQuery, view.ListFilter, error) {
	sq := orders.SearchQuery{Q: q, Status: status}
	f := form.ListFilter(vals)
	form.ApplyListFilter(&f, &sq, loc, h.now())
	if f.Unknown && len(f.Errors) == 0 {
		ids, err := h.Audit.OrdersWithUnknownOutcome(c.Request().Context())
		if err != nil {
			return sq, f, err
		}
		sq.OrderIDs = ids
	}
	return sq, f, nil
}

// sameQuery reports whether the request's query has exactly the
// parameters of href's.
func sameQuery(c echo.Context, href string) bool {
	_, raw, _ := strings.Cut(href, "?")
	want, err := url.ParseQuery(raw)
	return err == nil && maps.EqualFunc(c.QueryParams(), want, slices.Equal)
}
