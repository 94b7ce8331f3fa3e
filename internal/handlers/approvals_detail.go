package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
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
		pe := view.FromProviderError(omclient.FailureOf(err), r.OrderID, h.Provider)
		v.OrderError = "The order could not be read from " + view.ProviderName(h.Provider) + " just now (" + pe.Heading +
			"). Approving still works: the provider decides whether the change is possible."
	} else {
		st := view.NewOrderState(o, r, orders.Refundable(o), h.orderNumbers(c, o))
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

// managedText says why a member may not decide a request whose requester
// made or managed their account.
func managedText(c echo.Context, me *approvals.ManagedError) string {
	return me.Requester + " " + me.Did + " on " + me.At.In(agentZone(c)).Format("2 January 2006") +
		", so another supervisor or admin must decide this request (for " +
		strconv.Itoa(int(approvals.ManagedWindow.Hours()/24)) + " days after such a change)."
}
