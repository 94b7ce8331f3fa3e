package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// checkAttempt reads the attempt's order from the provider now and records
// what it shows (a reconciled event). An unknown outcome of a money change
// is settled when the provider's captures or refunds prove it (as "Check
// now" on the order page does); any other attempt gets what was seen.
func (h *Handlers) checkAttempt(c echo.Context) error {
	id := c.Param("id")
	row, err := h.Audit.AttemptRowByID(c.Request().Context(), id)
	if errors.Is(err, audit.ErrNotFound) {
		return publicError(http.StatusNotFound, "There is no attempt with this id in the audit trail.")
	}
	if err != nil {
		return err
	}
	if (row.Outcome == audit.OutcomeUnknown || row.Outcome == "") && orders.MoneyOp(omclient.Operation(row.Action)) {
		h.flash(c, h.settleMessage(c, id))
		return redirect(c, auditBack(c, id))
	}
	o, err := h.readOrder(c, row.OrderID)
	if err != nil {
		if c.Request().Context().Err() != nil {
			return err
		}
		pe := view.FromProviderError(omclient.FailureOf(err), row.OrderID, h.Provider)
		h.flash(c, "The order could not be read from the provider, nothing was recorded: "+pe.Heading+". Try again later.")
		return redirect(c, auditBack(c, id))
	}
	observed := orders.ObservedOrder(o)
	if _, err := h.Audit.Reconciled(c.Request().Context(), h.actor(c), id, observed); err != nil {
		return err
	}
	h.flash(c, "Checked with the provider: "+observedSummary(observed)+". Recorded in the audit trail.")
	return redirect(c, auditBack(c, id))
}

func observedSummary(m map[string]string) string {
	return fmt.Sprintf("status %s, captured %s, refunded %s, %s captures, %s refunds",
		view.StatusText(omclient.Status(m["status"])), m["captured_amount"], m["refunded_amount"], m["captures"], m["refunds"])
}
