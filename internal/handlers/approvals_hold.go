package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// holdOrSubmit is the last step of the refund, cancel, release and amount
// forms:
// a change the four-eyes policy holds is recorded as an approval request
// and nothing is sent; any other change goes to submitChange. The agent
// sees the held change like a completed one (the order page with a
// "Waiting for approval" confirmation), and a stale form, a reused key or
// the audit log being down are answered exactly as submitChange answers
// them, the typed values kept.
func (h *Handlers) holdOrSubmit(c echo.Context, cf *changeForm, ch orders.Change, flash func(orders.Result) string, render formRenderer) error {
	if h.Approvals == nil || !mayBeHeld(ch.Op) || h.keyUsed(c, ch.IdempotencyKey) {
		// A key already sent (an unknown outcome being resubmitted) goes
		// on to the pipeline's replay, whatever the policy says now.
		return h.submitChange(c, cf, ch, flash, render)
	}
	ctx := c.Request().Context()
	actor := h.actor(c)
	why, err := h.heldWhy(c, cf, ch)
	if err != nil {
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "Not sent: whether this change needs a second person’s approval could not be checked (the order’s recent changes could not be read from the audit log). Try again in a moment."}
	}
	if why == "" {
		return h.submitChange(c, cf, ch, flash, render)
	}
	// One change per intent holds for requests too: not while an earlier
	// outcome is unknown, and not a twin of a recent one unconfirmed.
	if err := h.Orders.CheckIntent(ctx, cf.Order, ch); err != nil {
		return h.changeNotSent(c, cf, ch, orders.Result{}, err, render)
	}
	// Four-eyes holds both halves as one intent: the shop's is kept with
	// the request and sent only after the approved payment change.
	half := h.shopHalfFor(cf, ch)
	r, created, err := h.Approvals.SubmitPair(ctx, actor, cf.Order, ch, why, half)
	if err != nil {
		var stale *orders.StaleError
		if errors.As(err, &stale) || errors.Is(err, orders.ErrKeyReused) || errors.Is(err, orders.ErrAudit) {
			return h.changeNotSent(c, cf, ch, orders.Result{}, err, render)
		}
		return &PublicError{Status: http.StatusInternalServerError, Err: err,
			Message: "Not sent: the request for approval could not be recorded. Try again in a moment; if it persists, tell an administrator."}
	}
	numbers := h.orderNumbers(c, cf.Order)
	msg := "Waiting for approval: " + view.ApprovalWhat(r.Op, r.Amount, r.Currency, numbers) + " on " + orderTitle(cf.Order) + ". " + view.MoneyIn(r.Why, numbers) +
		" A supervisor has been asked; you can withdraw it from the order page."
	if half != nil {
		msg += " Once approved, the shop's order is changed too."
	}
	if !created {
		msg += " (This form had already been submitted; no second request was made.)"
	}
	return h.changeSucceeded(c, cf.Order.OrderID, cf.Order, msg)
}

// heldWhy is why ch needs approval, or "" to send it now. A form whose
// request is already on record keeps its reason, so submitting it again
// answers with the same request even if the policy would now let it
// through (the daily limit of a new day): one form, one decision.
func (h *Handlers) heldWhy(c echo.Context, cf *changeForm, ch orders.Change) (string, error) {
	ctx := c.Request().Context()
	prior, err := h.Approvals.ByKey(ctx, ch.IdempotencyKey)
	switch {
	case err == nil:
		return prior.Why, nil
	case !errors.Is(err, approvals.ErrNotFound):
		return "", err
	}
	return h.Approvals.Check(ctx, h.actor(c), cf.Order, ch)
}

// mayBeHeld reports whether the four-eyes policy may hold op: refunds,
// cancellations, releases and amount changes (an amount cut gives up
// authorization as a cancellation does).
func mayBeHeld(op omclient.Operation) bool {
	switch op {
	case omclient.OpCreateRefund, omclient.OpCancel, omclient.OpReleaseRemaining, omclient.OpUpdateAuthorization:
		return true
	}
	return false
}
