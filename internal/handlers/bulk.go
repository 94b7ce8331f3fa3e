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
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Bulk changes from the order list: the list's form (POST /orders/bulk)
// shows a confirmation naming the orders, their count and their money per
// currency, and asks why; its submit (POST /bulk) stores the job, which
// package bulk runs in the background; the job's page (GET /bulk/:id)
// follows it order by order.

// confirmBulk is POST /orders/bulk: the confirmation page of a bulk change
// to the ticked orders or to all orders of the list as filtered. Nothing
// is stored or sent.
func (h *Handlers) confirmBulk(c echo.Context) error {
	op, err := h.bulkOp(c)
	if err != nil {
		return err
	}
	var items []bulk.Item
	if formValue(c, "scope") == "all" {
		items, err = h.bulkListItems(c, op)
	} else {
		items, err = h.bulkTickedItems(c, op)
	}
	if err != nil {
		return err
	}
	f := view.Form{Action: string(op), CSRF: csrfToken(c), Key: newKey()}
	return h.renderBulkConfirm(c, http.StatusOK, f, op, items)
}

// startBulk is POST /bulk: the confirmation's submit. The orders are read
// from the index again (amounts are never taken from the form), the caps
// checked for the member's role, and the job stored under the
// confirmation's key, so a double submit starts it once.
func (h *Handlers) startBulk(c echo.Context) error {
	op, err := h.bulkOp(c)
	if err != nil {
		return err
	}
	items, err := h.bulkTickedItems(c, op)
	if err != nil {
		return err
	}
	f := view.Form{Action: string(op), CSRF: csrfToken(c), Key: formValue(c, "job")}
	if !validKey(f.Key) {
		f.Key = newKey()
		f.AddError("", "The form's key was missing or damaged, so nothing was started. A new key has been made: submit again.")
	}
	reason, ticket, ok := readWhy(c, &f, string(op))
	if !ok || f.HasErrors() {
		return h.renderBulkConfirm(c, http.StatusUnprocessableEntity, f, op, items)
	}
	j := bulk.Job{ID: f.Key, Op: op, Reason: reason, Ticket: ticket, By: h.actor(c)}
	err = h.Bulk.Start(c.Request().Context(), j, items)
	var invalid *bulk.ErrInvalid
	switch {
	case errors.Is(err, bulk.ErrExists):
		// The same confirmation again: its job is already running.
	case errors.As(err, &invalid):
		f.AddError("", "Not started: "+view.MoneyIn(invalid.Why, h.numbers(c)))
		return h.renderBulkConfirm(c, http.StatusForbidden, f, op, items)
	case err != nil:
		return err
	default:
		h.flash(c, view.BulkOpLabel(op)+" of "+strconv.Itoa(len(items))+" orders started.")
	}
	return redirect(c, view.BulkJobPath(f.Key))
}

// showBulkJob is GET /bulk/:id, and GET /bulk/:id/progress its progress
// part for the page's polling.
func (h *Handlers) showBulkJob(c echo.Context) error {
	if h.Bulk == nil {
		return publicError(http.StatusNotFound, "Bulk changes are not available.")
	}
	j, items, err := h.Bulk.Job(c.Request().Context(), c.Param("id"))
	if errors.Is(err, bulk.ErrNotFound) {
		return publicError(http.StatusNotFound, "There is no such bulk change.")
	}
	if err != nil {
		return err
	}
	v := view.NewBulkJobView(j, items, agentZone(c), h.numbers(c))
	if c.Path() == bulkProgressPath {
		return render(c, http.StatusOK, templates.BulkProgress(v))
	}
	return renderPage(c, http.StatusOK, h.page(c, v.OpLabel+": bulk change", templates.NavOrders), templates.BulkJobPage(v))
}

const bulkProgressPath = "/bulk/:id/progress"

func (h *Handlers) renderBulkConfirm(c echo.Context, status int, f view.Form, op omclient.Operation, items []bulk.Item) error {
	blocked := h.Bulk.Limits().Check(string(h.actor(c).Role), items)
	v := view.NewBulkConfirm(f, op, items, blocked, h.numbers(c))
	return renderPage(c, status, h.page(c, v.OpLabel+": confirm", templates.NavOrders), templates.BulkConfirmPage(v))
}

// bulkOp reads the change asked for.
func (h *Handlers) bulkOp(c echo.Context) (omclient.Operation, error) {
	if h.Bulk == nil {
		return "", publicError(http.StatusNotFound, "Bulk changes are not available.")
	}
	op := omclient.Operation(formValue(c, "op"))
	if !bulk.Allowed(op) {
		return "", publicError(http.StatusBadRequest, "Choose one of the changes the list offers.")
	}
	return op, nil
}

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
