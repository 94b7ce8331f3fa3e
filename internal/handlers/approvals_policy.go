package handlers

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// showApprovalPolicy is GET /approvals/policy: the four-eyes rules in
// force, for everyone signed in (an agent should know before asking which
// changes wait for a second person). With approvals off it says so.
func (h *Handlers) showApprovalPolicy(c echo.Context) error {
	var p approvals.Policy
	if h.Approvals != nil {
		p = h.Approvals.Policy()
	}
	return renderPage(c, http.StatusOK, h.page(c, "Approval rules", view.NavApprovals), templates.ApprovalPolicyPage(view.NewApprovalPolicy(p, h.numbers(c))))
}

// approvalNote is why ch would wait for approval, for a form's preview
// ("" when it would be sent at once, when ch is not complete yet, or when
// that cannot be checked now: the submit checks again and says so).
func (h *Handlers) approvalNote(c echo.Context, o *omclient.Order, ch orders.Change) string {
	if h.Approvals == nil || o == nil || !mayBeHeld(ch.Op) || (ch.Op != omclient.OpCancel && ch.Op != omclient.OpReleaseRemaining && ch.Body == nil) {
		return ""
	}
	why, err := h.Approvals.Check(c.Request().Context(), h.actor(c), o, ch)
	if err != nil {
		h.Log.Warn("checking the approval rules for a preview failed", slog.String("order_id", o.OrderID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return ""
	}
	return view.MoneyIn(why, h.orderNumbers(c, o))
}
