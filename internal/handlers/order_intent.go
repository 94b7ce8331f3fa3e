package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// unsettledPanel lists, first on the order page, the order's money changes
// whose outcome is unknown (from the records the page read for its
// history): each blocks every new money change until "Check now" settles
// it.
func (h *Handlers) unsettledPanel(c echo.Context, o *omclient.Order, r historyReads) view.UnsettledPanel {
	w := h.Orders.IntentWindow()
	if r.err != nil || w <= 0 {
		return view.UnsettledPanel{}
	}
	now := h.now()
	prior := orders.PriorChangesOf(r.attempts, r.settled, r.steps, now.Add(-w), now)
	m := h.currentStaff(c)
	link := m != nil && m.Role.Allows(staff.RoleSupervisor, true)
	p := view.NewUnsettledPanel(o.OrderID, prior, h.orderNumbers(c, o), now, agentZone(c), link, csrfToken(c))
	if m == nil || !m.Role.Allows(staff.RoleAgent, false) {
		// The auditor reads; "Check now" records an event.
		for i := range p.Items {
			p.Items[i].CheckPath = ""
		}
	}
	return p
}

// settleAttempt is "Check now" on the order page: the order is read from
// the provider and the attempt settled when its captures or refunds prove
// the outcome (an appended audit event); the order page says what was
// found.
func (h *Handlers) settleAttempt(c echo.Context) error {
	orderID, id := c.Param("id"), c.Param("attempt_id")
	if !omclient.ValidOrderID(orderID) {
		return publicError(http.StatusNotFound, "“"+orderID+"” is not an order id.")
	}
	row, err := h.Audit.AttemptRowByID(c.Request().Context(), id)
	if errors.Is(err, audit.ErrNotFound) || (err == nil && row.OrderID != orderID) {
		return publicError(http.StatusNotFound, "This order has no attempt with this id.")
	}
	if err != nil {
		return err
	}
	h.flash(c, h.settleMessage(c, id))
	return redirect(c, view.OrderPath(orderID)+"#unsettled")
}

// settleMessage settles attempt id and says what happened, for a flash.
func (h *Handlers) settleMessage(c echo.Context, id string) string {
	st, err := h.Orders.Settle(c.Request().Context(), h.actor(c), id)
	switch {
	case errors.Is(err, orders.ErrNotUnknown):
		return "This change's outcome is already known; nothing was recorded."
	case errors.Is(err, orders.ErrAudit):
		return "The check could not be recorded in the audit log, so the change stays unknown. Try again in a moment."
	case err != nil:
		pe := view.FromProviderError(omclient.FailureOf(err), "", h.Provider)
		return "The order could not be read from the provider, nothing was recorded: " + pe.Heading + ". Try again later."
	}
	// What was checked names amounts in the log's plain form ("40.00
	// EUR"): the reader gets them in their own format.
	numbers := h.orderNumbers(c, st.Order)
	seen := view.MoneyIn("Checked with the provider: "+observedSummary(orders.ObservedOrder(st.Order))+". ", numbers)
	why := view.MoneyIn(st.Why, numbers)
	switch st.Outcome {
	case audit.SettledApplied:
		return seen + "The change was applied: " + why + " Recorded in the audit trail; new changes can be made again."
	case audit.SettledNotApplied:
		return seen + "The change was not applied: " + why + " Recorded in the audit trail; new changes can be made again."
	}
	return seen + "This does not prove the outcome: " + why + " The check is recorded; the change stays unknown."
}
