package handlers

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// searchOrders answers the search box. An order id is looked up at the
// provider directly and opens the order page; anything else is matched
// against the local index (references, e-mail, name; case-insensitive
// prefix), 25 per page, newest first. htmx requests (as-you-type, the
// status filter, the pager) get only the inside of #results.
func (h *Handlers) searchOrders(c echo.Context) error {
	q := strings.TrimSpace(c.QueryParam("q"))
	status := strings.ToUpper(strings.TrimSpace(c.QueryParam("status")))
	if !view.ValidStatus(status) {
		status = ""
	}
	cursor := c.QueryParam("cursor")
	loc := agentZone(c)

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
		v := view.FromProviderError(err, q, h.Provider)
		lookup, httpStatus = &v, v.Status
	}

	hint := view.QueryHint(q)
	var page orders.SearchPage
	if len([]rune(q)) <= view.MaxQueryLen {
		var err error
		page, err = h.Index.Search(c.Request().Context(), orders.SearchQuery{Q: q, Status: status, Cursor: cursor})
		if errors.Is(err, orders.ErrBadCursor) {
			hint = "That page link is out of date; showing the first page."
			cursor = ""
			page, err = h.Index.Search(c.Request().Context(), orders.SearchQuery{Q: q, Status: status})
		}
		if err != nil {
			return err
		}
	}
	v := view.NewSearchView(q, status, cursor, page, loc)
	v.Hint, v.Lookup = hint, lookup

	fromStatusFilter := c.Request().Header.Get(hxTrigger) == "status-filter"
	fragment := templates.SearchResults(v, true, !fromStatusFilter)
	if isHTMX(c) {
		return respond(c, httpStatus, templates.Page{}, nil, fragment)
	}
	p := h.page(c, "Orders", templates.NavOrders)
	p.Query = q
	return respond(c, httpStatus, p, templates.SearchPage(v), fragment)
}
