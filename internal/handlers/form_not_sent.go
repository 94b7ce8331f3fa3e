package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// changeNotSent answers a change that err stopped (from the pipeline, or
// from recording an approval request): validation errors at their fields,
// a stale form with the fresh fingerprint, a reused key with a new one,
// the audit log down as 503. render re-renders the form's own template.
func (h *Handlers) changeNotSent(c echo.Context, cf *changeForm, ch orders.Change, res orders.Result, err error, render formRenderer) error {
	f := &cf.Form
	var ve *omclient.ValidationError
	var stale *orders.StaleError
	var held *orders.HeldError
	var twin *orders.TwinError
	var unsettled *orders.UnsettledError
	switch {
	case errors.As(err, &twin):
		f.Intent = view.TwinIntent(twin, h.orderNumbers(c, cf.Order), h.now(), agentZone(c))
		return render(http.StatusConflict)
	case errors.As(err, &unsettled):
		f.Intent = view.UnsettledIntent(unsettled, view.OrderPath(cf.Order.OrderID), h.orderNumbers(c, cf.Order), h.now(), agentZone(c))
		return render(http.StatusConflict)
	case errors.As(err, &ve):
		// The pipeline's own checks (the orders' drafts) name amounts in
		// the log's plain form ("... (captured minus refunded), 40.00 EUR").
		for i := range ve.Fields {
			ve.Fields[i].Message = view.MoneyIn(ve.Fields[i].Message, h.orderNumbers(c, cf.Order))
		}
		form.ValidationErrors(&cf.Form, ve)
		return render(http.StatusUnprocessableEntity)
	case errors.As(err, &stale):
		cf.Order = stale.Order
		f.Expected = orders.EncodeFingerprint(stale.Actual)
		f.Outcome = &view.Outcome{Kind: view.OutcomeStale, Heading: "Not sent: the order has changed", Message: msgStale}
		return render(http.StatusConflict)
	case errors.Is(err, orders.ErrKeyReused):
		f.Key = form.NewKey()
		f.Outcome = &view.Outcome{Kind: view.OutcomeRejected, Heading: "Not sent: this form was already used for a different change",
			Message: "An earlier submit of this form sent other values. Check the order page to see whether that change was applied. A new request key has been made, so submitting again sends these values as a new change."}
		return render(http.StatusConflict)
	case errors.Is(err, orders.ErrAudit) && res.Outcome == "":
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "Not sent: the audit log is unavailable, and no change is sent without being recorded first. Try again in a moment; if it persists, tell an administrator."}
	case errors.Is(err, orders.ErrAudit):
		return &PublicError{Status: http.StatusServiceUnavailable, Err: err,
			Message: "The change was sent (outcome: " + string(res.Outcome) + "), but the audit log could not record its result. Reload the order to see its state, and tell a supervisor."}
	case errors.Is(err, omclient.ErrNotSupported):
		return &PublicError{Status: http.StatusNotFound, Err: err, Message: view.ProviderName(h.Provider) + " does not offer this action."}
	case errors.As(err, &held):
		// The pipeline's guard: the policy holds a change the form did not
		// expect to be held (the daily limit reached in another tab
		// meanwhile). Submitting again files the approval request.
		f.Outcome = &view.Outcome{Kind: view.OutcomeRejected, Heading: "Not sent: this change needs a second person’s approval",
			Message: view.MoneyIn(held.Why, h.orderNumbers(c, cf.Order)) + " Submit again to ask a supervisor for approval."}
		return render(http.StatusConflict)
	case c.Request().Context().Err() != nil:
		return err
	default:
		// The pipeline could not re-read the order before sending (or
		// waited too long for another change): nothing was sent.
		v := view.FromProviderError(omclient.FailureOf(err), cf.Order.OrderID, h.Provider)
		h.Log.Warn("change not sent", slog.String("order_id", cf.Order.OrderID), slog.String("op", string(ch.Op)),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		f.Outcome = &view.Outcome{Kind: view.OutcomeFailed, Heading: "Not sent: " + strings.ToLower(v.Heading[:1]) + v.Heading[1:],
			Message: "The order could not be checked with the provider before sending, so nothing was sent. Submit again in a moment.",
			Code:    v.Code, CorrelationID: v.CorrelationID}
		return render(http.StatusBadGateway)
	}
}
