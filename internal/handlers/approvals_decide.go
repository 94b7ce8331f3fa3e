package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// approveApproval is POST /approvals/:id/approve.
func (h *Handlers) approveApproval(c echo.Context) error {
	return h.decide(c, "approve")
}

// rejectApproval is POST /approvals/:id/reject.
func (h *Handlers) rejectApproval(c echo.Context) error {
	return h.decide(c, "reject")
}

// withdrawApproval is POST /approvals/:id/withdraw.
func (h *Handlers) withdrawApproval(c echo.Context) error {
	return h.decide(c, "withdraw")
}

// resendApproval is POST /approvals/:id/resend.
func (h *Handlers) resendApproval(c echo.Context) error {
	return h.decide(c, "resend")
}

// decide takes one decision on the URL's request and answers with what
// happened.
func (h *Handlers) decide(c echo.Context, what string) error {
	r, err := h.approvalFor(c)
	if err != nil {
		return err
	}
	comment := c.FormValue("comment")
	if what == "approve" || what == "reject" || what == "withdraw" {
		if msg := checkText(comment, what != "withdraw", approvals.MaxComment); msg != "" {
			if msg == "Enter a value" {
				msg = "Write a comment: say why you " + what + " it (the requester and the audit trail see it)"
			}
			return h.renderApproval(c, http.StatusUnprocessableEntity, r, func(v *view.ApprovalDetailView) {
				v.Comment, v.CommentError = comment, msg
			})
		}
	}
	ctx, actor := c.Request().Context(), h.actor(c)
	var got approvals.Request
	var res orders.Result
	switch what {
	case "approve":
		got, res, err = h.Approvals.ApproveConfirmed(ctx, actor, r.ID, comment, c.FormValue(view.FieldConfirm))
	case "reject":
		got, err = h.Approvals.Reject(ctx, actor, r.ID, comment)
	case "withdraw":
		got, err = h.Approvals.Withdraw(ctx, actor, r.ID, comment)
	case "resend":
		got, res, err = h.Approvals.Resend(ctx, actor, r.ID)
	}
	if got.ID == "" {
		got = r
	}
	if err != nil {
		return h.decisionRefused(c, what, got, res, comment, err)
	}
	title := view.ApprovalWhat(got.Op, got.Amount, got.Currency, h.numbers(c)) + " on " + view.NewApprovalItem(got, view.ApprovalViewer{}, h.now(), nil).OrderTitle
	var msg string
	switch {
	case what == "reject":
		msg = "Rejected: " + title + ". Nothing was sent."
	case what == "withdraw":
		msg = "Withdrawn: " + title + ". Nothing was sent."
	case got.Status == approvals.StatusExecuted:
		msg = "Approved and sent: " + title + "."
		if got.ResourceID != "" {
			msg = "Approved and sent: " + title + " (" + view.ApprovalResource(got) + ")."
		}
		if res.Replayed {
			msg += " The provider had already applied it; nothing was sent twice."
		}
	case got.Status == approvals.StatusFailed:
		msg = "Approved, but " + view.ProviderName(h.Provider) + " refused it: the order changed since the request was made. " +
			"Nothing was changed; the request is closed as failed."
	default:
		msg = "Approved and sent, but the outcome is unknown: the provider may have applied it. It is safe to send it again."
	}
	h.flash(c, msg)
	if what == "withdraw" && c.FormValue("back") == "order" {
		return redirect(c, view.OrderPath(got.OrderID))
	}
	return redirect(c, view.ApprovalHref(got.ID))
}
