package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// historyReads are the audit log's records of one order: its attempts
// and the steps of its four-eyes requests.
type historyReads struct {
	attempts []audit.Attempt
	steps    []audit.Event
	settled  map[string]audit.Settlement
	notes    []audit.Event // internal notes (order_notes.go)
	err      error
}

// readHistory reads what the History section shows; it needs only the
// order id, so the order page runs it beside the provider read.
func (h *Handlers) readHistory(ctx context.Context, orderID string) historyReads {
	var r historyReads
	if r.attempts, r.err = h.Audit.OrderAttempts(ctx, orderID); r.err != nil {
		return r
	}
	if r.steps, r.err = h.Audit.ApprovalEvents(ctx, orderID); r.err != nil {
		return r
	}
	if r.settled, r.err = h.Audit.OrderSettlements(ctx, orderID); r.err != nil {
		return r
	}
	r.notes, r.err = h.Audit.NoteEvents(ctx, orderID)
	return r
}

// orderHistory builds the order page's History section from the audit
// trail and the order just read. A failure to read the audit log leaves
// the section out (ok false) rather than failing the order page.
func (h *Handlers) orderHistory(c echo.Context, o *omclient.Order) (items []view.HistoryItem, ok bool) {
	return h.historyItems(c, o, h.readHistory(c.Request().Context(), o.OrderID))
}

// historyItems is orderHistory from records already read.
func (h *Handlers) historyItems(c echo.Context, o *omclient.Order, r historyReads) (items []view.HistoryItem, ok bool) {
	if r.err != nil {
		h.Log.Warn("reading the order's audit history failed", slog.String("order_id", o.OrderID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", r.err))
		return nil, false
	}
	m := h.currentStaff(c)
	link := m != nil && m.Role.Allows(staff.RoleSupervisor, true)
	numbers := h.numbers(c)
	if o != nil {
		numbers = h.orderNumbers(c, o)
	}
	items = view.BuildSettledHistory(o, r.attempts, r.settled, agentZone(c), link, numbers)
	// The four-eyes requests' steps: the whole path of each.
	viewer := h.approvalViewer(c, m)
	email := ""
	if m != nil {
		email = m.Email
	}
	items = view.MergeApprovalHistory(items, r.steps, agentZone(c), viewer.AllRequests(), email, numbers)
	return view.MergeNoteHistory(items, r.notes, agentZone(c)), true
}

// showOrderHistory is the History section alone, for a page rendered
// without it (htmx loads it into place).
func (h *Handlers) showOrderHistory(c echo.Context) error {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return publicError(http.StatusNotFound, "Not an order id.")
	}
	if !isHTMX(c) {
		// Opened directly (a bookmark, a copied link): the order page,
		// at its History, rather than an unstyled fragment.
		return c.Redirect(http.StatusSeeOther, "/orders/"+id+"#order-history")
	}
	o, err := h.readOrder(c, id)
	if err != nil {
		if c.Request().Context().Err() != nil {
			return err
		}
		v := view.FromProviderError(omclient.FailureOf(err), id, h.Provider)
		return publicError(v.Status, v.Heading)
	}
	items, ok := h.orderHistory(c, o)
	if !ok {
		return publicError(http.StatusServiceUnavailable, "The history could not be read; reload the page to try again.")
	}
	return render(c, http.StatusOK, templates.OrderHistory(items))
}
