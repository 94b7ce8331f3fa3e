package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// One request's page (/approvals/:id) and its decisions: approve, reject
// (supervisors and admins other than the requester, with a comment),
// withdraw (the requester), send again (an approved request whose sending
// did not settle). Every decision is a plain form POST answered with a
// 303 to the request's page (or, for a withdraw from the order page, to
// the order), whose state then says what happened; a decision that could
// not be taken re-renders the page with the reason and the typed comment.

// msgOwnRequest is what the requester reads instead of the decision forms.
const msgOwnRequest = "You made this request; another supervisor or an admin must decide it."

// showApproval is GET /approvals/:id.
func (h *Handlers) showApproval(c echo.Context) error {
	r, err := h.approvalFor(c)
	if err != nil {
		return err
	}
	return h.renderApproval(c, http.StatusOK, r, nil)
}

// renderApproval renders request r's page at status; edit adjusts the
// view (a notice, the typed comment and its message).
func (h *Handlers) renderApproval(c echo.Context, status int, r approvals.Request, edit func(*view.ApprovalDetailView)) error {
	now, loc := h.now(), agentZone(c)
	v := view.ApprovalDetailView{Item: view.NewApprovalItem(r, h.approvalViewer(c, h.currentStaff(c)), now, loc), CSRF: csrfToken(c)}
	if v.Item.Own && r.Status == approvals.StatusPending {
		v.OwnNote = msgOwnRequest
	}
	if v.Item.CanDecide {
		// Say before a decision is tried that the requester made or
		// managed this member's account (the decision is refused anyway).
		var me *approvals.ManagedError
		if err := h.Approvals.MayDecide(c.Request().Context(), h.actor(c), r); errors.As(err, &me) {
			v.Item.CanDecide, v.OwnNote = false, managedText(c, me)
		}
	}
	o, err := h.readOrder(c, r.OrderID)
	if err != nil {
		if c.Request().Context().Err() != nil {
			return err
		}
		pe := view.FromProviderError(err, r.OrderID, h.Provider)
		v.OrderError = "The order could not be read from " + view.ProviderName(h.Provider) + " just now (" + pe.Heading +
			"). Approving still works: the provider decides whether the change is possible."
	} else {
		st := view.NewOrderState(o, r, h.orderNumbers(c, o))
		v.Order = &st
		v.Item.Customer = orders.CustomerName(o)
	}
	if v.Item.Customer == "" {
		v.Item.Customer = h.indexedCustomer(c, r.OrderID)
	}
	if evs, err := h.Audit.ApprovalEvents(c.Request().Context(), r.OrderID); err != nil {
		h.Log.Warn("reading an approval's audit events failed", slog.String("approval_id", r.ID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	} else {
		v.Path = view.ApprovalPath(evs, r.ID, loc, h.numbers(c))
	}
	h.approvalIntent(c, r, o, &v)
	if edit != nil {
		edit(&v)
	}
	return renderPage(c, status, h.page(c, "Approval · "+v.Item.OrderTitle, view.NavApprovals), templates.ApprovalDetailPage(v))
}

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

// managedText says why a member may not decide a request whose requester
// made or managed their account.
func managedText(c echo.Context, me *approvals.ManagedError) string {
	return me.Requester + " " + me.Did + " on " + me.At.In(agentZone(c)).Format("2 January 2006") +
		", so another supervisor or admin must decide this request (for " +
		strconv.Itoa(int(approvals.ManagedWindow.Hours()/24)) + " days after such a change)."
}
