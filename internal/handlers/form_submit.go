package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// Messages of the outcomes a form reports.
const (
	msgUnknown = "Outcome unknown: the provider may have applied this change. It is safe to submit again: the same request key is reused, so it cannot be applied twice."
	msgStale   = "The order changed since you opened this form (for example captured in another tab). Check the amounts and submit again."
)

// submitChange sends ch through the pipeline and answers with what
// happened:
//   - succeeded: flash(res) as confirmation and the refreshed order page
//     (303 to it; for htmx the page content with HX-Retarget #order-page);
//   - refused: the form again with the provider's message, code and
//     correlation id, and a new key;
//   - unknown / failed: the form again, same key, safe to resubmit;
//   - validation errors: at their fields; stale: the fresh fingerprint;
//   - audit log unavailable: 503.
//
// render re-renders the form's own template from cf; it is called after
// cf has been updated (messages, key, fingerprint, and on a stale form the
// fresh order in cf.Order).
func (h *Handlers) submitChange(c echo.Context, cf *changeForm, ch orders.Change, flash func(orders.Result) string, render formRenderer) error {
	half := h.shopHalfFor(cf, ch)
	pr, err := h.applyChange(c, ch, half)
	res := pr.Result
	if err != nil {
		return h.changeNotSent(c, cf, ch, res, err, render)
	}
	f := &cf.Form
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		msg := flash(res)
		if said := shopHalfSaid(half, pr); said != "" {
			msg = strings.TrimSuffix(msg, ".") + "." + said
		}
		if res.Replayed {
			msg += " (This form had already been submitted; nothing was sent again.)"
		}
		return h.changeSucceeded(c, cf.Order.OrderID, res.Order, msg)
	case audit.OutcomeRefused:
		if res.Order != nil {
			cf.Order = res.Order
			f.Expected = orders.EncodeFingerprint(orders.FingerprintOf(res.Order))
		}
		f.Key = form.NewKey()
		f.Outcome = providerOutcome(view.OutcomeRefused, view.ProviderName(h.Provider)+" refused the change", "Nothing was changed.", res)
		return render(http.StatusUnprocessableEntity)
	case audit.OutcomeUnknown:
		f.Outcome = providerOutcome(view.OutcomeUnknown, "Outcome unknown", msgUnknown, res)
		return render(http.StatusBadGateway)
	default: // failed: nothing reached the provider
		f.Outcome = providerOutcome(view.OutcomeFailed, "Not sent: the provider could not be reached",
			"The request did not reach "+view.ProviderName(h.Provider)+", so nothing was changed. Submit again in a moment: the same request key is reused.", res)
		return render(http.StatusBadGateway)
	}
}

// providerOutcome describes the provider's answer in res.
func providerOutcome(kind, heading, message string, res orders.Result) *view.Outcome {
	out := &view.Outcome{Kind: kind, Heading: heading, Message: message, CorrelationID: res.CorrelationID, HTTPStatus: res.HTTPStatus}
	var ae *omclient.APIError
	if errors.As(res.APIErr, &ae) {
		out.Code, out.Messages = string(ae.ErrorCode), ae.ErrorMessages
		if out.Code == "" && ae.StatusCode != 0 {
			out.Code = "HTTP " + strconv.Itoa(ae.StatusCode)
		}
		if ae.CorrelationID != "" {
			out.CorrelationID = ae.CorrelationID
		}
	}
	return out
}
