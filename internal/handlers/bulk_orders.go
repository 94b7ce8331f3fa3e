package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/bulk"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// bulkTickedItems are the ticked orders, from the index, in the order
// ticked (each once).
func (h *Handlers) bulkTickedItems(c echo.Context, op omclient.Operation) ([]bulk.Item, error) {
	form, err := c.FormParams()
	if err != nil {
		return nil, publicError(http.StatusBadRequest, "The form could not be read.")
	}
	ids := form["order"]
	limit := h.Bulk.Limits().MaxOrders
	switch {
	case len(ids) == 0:
		return nil, publicError(http.StatusBadRequest, "No orders are ticked: tick the orders to change on the list, then choose the change.")
	case len(ids) > limit:
		return nil, publicError(http.StatusBadRequest, "A bulk change takes at most "+strconv.Itoa(limit)+" orders.")
	}
	seen := map[string]bool{}
	items := make([]bulk.Item, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		o, ok, err := h.Index.Get(c.Request().Context(), id)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, publicError(http.StatusBadRequest, "A ticked order is not in the order index; reload the list and tick again.")
		}
		items = append(items, bulkItem(o, op))
	}
	return items, nil
}

// bulkListItems are all orders of the list as filtered, newest first, up
// to the cap: a filter matching more is refused, not cut short silently.
func (h *Handlers) bulkListItems(c echo.Context, op omclient.Operation) ([]bulk.Item, error) {
	vals, err := url.ParseQuery(formValue(c, "list"))
	if err != nil {
		return nil, publicError(http.StatusBadRequest, "The list's filters could not be read; apply them again.")
	}
	status := vals.Get("status")
	if !view.ValidStatus(status) {
		status = ""
	}
	sq, filter, err := h.listQueryFrom(c, vals, vals.Get("q"), status, agentZone(c))
	if err != nil {
		return nil, err
	}
	if len(filter.Errors) > 0 {
		return nil, publicError(http.StatusBadRequest, "The list's filters have errors; correct them on the list first.")
	}
	limit := h.Bulk.Limits().MaxOrders
	var items []bulk.Item
	errTooMany := errors.New("too many")
	err = h.Index.Each(c.Request().Context(), sq, func(o orders.IndexedOrder) error {
		if len(items) == limit {
			return errTooMany
		}
		items = append(items, bulkItem(o, op))
		return nil
	})
	switch {
	case errors.Is(err, errTooMany):
		return nil, publicError(http.StatusBadRequest, "More than "+strconv.Itoa(limit)+" orders match this list: narrow the filters (a bulk change takes at most "+strconv.Itoa(limit)+").")
	case err != nil:
		return nil, err
	case len(items) == 0:
		return nil, publicError(http.StatusBadRequest, "No orders match this list.")
	}
	return items, nil
}

// bulkItem is an indexed order as a job's item, with the money the change
// concerns: a cancellation the order amount, the others what remains
// authorized.
func bulkItem(o orders.IndexedOrder, op omclient.Operation) bulk.Item {
	amount := o.RemainingAuthorized
	if op == omclient.OpCancel {
		amount = o.Amount
	}
	return bulk.Item{OrderID: o.OrderID, OrderRef: o.KlarnaReference, Currency: o.Currency, Amount: amount}
}

// bulkBar is the list's bulk form for members who change orders.
func (h *Handlers) bulkBar(c echo.Context, q, status string, f view.ListFilter) *view.BulkBar {
	m := h.currentStaff(c)
	if h.Bulk == nil || m == nil || !m.Role.Allows(staff.RoleAgent, false) {
		return nil
	}
	return view.NewBulkBar(csrfToken(c), q, status, f, h.Bulk.Limits())
}
