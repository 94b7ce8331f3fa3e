package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// decisionRefused answers a decision the service did not take (or, for an
// approval, could not send): the page again with the reason, nothing done.
func (h *Handlers) decisionRefused(c echo.Context, what string, r approvals.Request, res orders.Result, comment string, err error) error {
	notice := func(status int, kind, heading, msg string) error {
		return h.renderApproval(c, status, r, func(v *view.ApprovalDetailView) {
			v.Comment = comment
			v.Notice = &view.ApprovalNotice{Kind: kind, Heading: heading, Message: msg}
		})
	}
	switch {
	case errors.Is(err, approvals.ErrNotFound):
		return publicError(http.StatusNotFound, "No such approval request.")
	case errors.Is(err, approvals.ErrOwnRequest):
		return notice(http.StatusForbidden, "error", "Nothing was done: "+view.LowerFirst(msgOwnRequest), "")
	case errors.Is(err, approvals.ErrNotRequester):
		return notice(http.StatusForbidden, "error", "Nothing was done: only the requester may withdraw a request.", "")
	case errors.Is(err, approvals.ErrManagedByRequester):
		var me *approvals.ManagedError
		msg := "The requester recently created or managed your account, so another supervisor or admin must decide it."
		if errors.As(err, &me) {
			msg = managedText(c, me)
		}
		return notice(http.StatusForbidden, "error", "Nothing was done: you may not decide this request.", msg)
	case errors.Is(err, approvals.ErrNotApprover):
		return notice(http.StatusForbidden, "error", "Nothing was done: only supervisors and admins decide requests.", "")
	case errors.Is(err, approvals.ErrNotPending):
		heading := "Already closed"
		if d := view.ApprovalDecision(r, agentZone(c)); d != "" {
			heading = "Already " + view.LowerFirst(d)
		}
		return notice(http.StatusConflict, "warn", heading+".", "Nothing was done: the request is no longer waiting. It is shown below as it is now.")
	case isIntentError(err):
		// Nothing approved: the page shows the identical changes (and the
		// confirmation) or the unknown outcome to check first.
		return notice(http.StatusConflict, "warn", "Not approved: the order has an identical or unsettled change.",
			"Nothing was sent. Read the order's other changes below; to approve anyway, tick the confirmation and approve again.")
	case errors.Is(err, approvals.ErrCommentRequired):
		return h.renderApproval(c, http.StatusUnprocessableEntity, r, func(v *view.ApprovalDetailView) {
			v.Comment, v.CommentError = comment, "Write a comment: say why you "+what+" it"
		})
	case errors.Is(err, orders.ErrAudit) && res.Outcome == "":
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "Nothing was done: the audit log is unavailable, and no step is taken without being recorded first. Try again in a moment."}
	case errors.Is(err, orders.ErrAudit):
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "The change was sent (outcome: " + string(res.Outcome) + "), but the audit log could not record the request's result. Reload the request to see its state, and tell an administrator."}
	case c.Request().Context().Err() != nil:
		return err
	case (what == "approve" || what == "resend") && r.Status.Resendable() && res.Outcome == "":
		// Approved (on record), but the pipeline could not read the order
		// before sending: nothing reached the provider.
		h.Log.Warn("approved change not sent", slog.String("approval_id", r.ID), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return notice(http.StatusBadGateway, "warn", "Approved, but not sent: the order could not be read from "+view.ProviderName(h.Provider)+".",
			"Nothing reached the provider. Send it again in a moment: the same request key is reused, so it is applied at most once.")
	}
	return err
}
