package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/bulk"
	"ordercare/internal/omclient"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Bulk changes from the order list: the list's form (POST /orders/bulk)
// shows a confirmation naming the orders, their count and their money per
// currency, and asks why; its submit (POST /bulk) stores the job, which
// package bulk runs in the background; the job's page (GET /bulk/:id)
// follows it order by order. This file holds the two forms; the orders a
// job takes are read in bulk_orders.go, the job's page is bulk_job.go,
// its outcomes as CSV bulk_export.go.

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

func (h *Handlers) renderBulkConfirm(c echo.Context, status int, f view.Form, op omclient.Operation, items []bulk.Item) error {
	blocked := h.Bulk.Limits().Check(string(h.actor(c).Role), items)
	v := view.NewBulkConfirm(f, op, items, bulk.Totals(items), blocked, h.numbers(c))
	return renderPage(c, status, h.page(c, v.OpLabel+": confirm", view.NavOrders), templates.BulkConfirmPage(v))
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
