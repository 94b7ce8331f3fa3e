package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Shared parts of the three money forms (change amount and lines, capture,
// refund): reading typed amounts, quantities and percentages with a
// message at the field, the editing buttons that re-render instead of
// sending, and the preview endpoints' order read.

// editButton reports which editing button submitted the form ("" when the
// agent pressed the submit button): such a POST re-renders the form with
// the change and never sends anything.
func editButton(c echo.Context) string {
	for _, b := range []string{view.ButtonAddLine, view.ButtonRemoveLine, view.ButtonRecalc} {
		if _, ok := formParams(c)[b]; ok {
			return b
		}
	}
	return ""
}

// formParams are the posted fields (parsed once by echo).
func formParams(c echo.Context) map[string][]string {
	p, err := c.FormParams()
	if err != nil {
		return nil
	}
	return p
}

// keepHidden carries the posted idempotency key and fingerprint, and the
// reason and helpdesk ticket typed so far, into a re-rendered form without
// judging them (an editing button, the preview): a damaged key or
// fingerprint is replaced by the fresh one newForm made, and the real
// submit reports it.
func keepHidden(c echo.Context, f *view.Form) {
	for _, n := range []string{view.FieldReason, view.FieldReasonOther, view.FieldTicket} {
		f.SetValue(n, formValue(c, n))
	}
	if k := formValue(c, view.FieldKey); form.ValidKey(k) {
		f.Key = k
	}
	if fp, err := orders.ParseFingerprint(formValue(c, view.FieldExpected)); err == nil {
		f.Expected = orders.EncodeFingerprint(fp)
	}
}

// formOrder is the order of a preview request: read fresh and checked
// against the action, like a form. On failure the answer is a short
// fragment saying why (the preview shows it in place of the effect).
func (h *Handlers) formOrder(c echo.Context, op omclient.Operation) (*omclient.Order, error) {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return nil, publicError(http.StatusNotFound, "“"+id+"” is not an order id.")
	}
	o, err := h.readOrder(c, id)
	if err != nil {
		if c.Request().Context().Err() != nil {
			return nil, err
		}
		v := view.FromProviderError(omclient.FailureOf(err), id, h.Provider)
		return nil, &PublicError{Status: v.Status, Message: v.Heading + ": " + v.Message, Err: err}
	}
	a, _ := orders.FindAction(orders.Actions(o, h.Provider, h.now()), op)
	if !a.Allowed {
		return nil, &PublicError{Status: http.StatusConflict, Message: a.Reason}
	}
	return o, nil
}

// previewError answers a preview request that cannot be computed with a
// fragment saying why, in place of the effect.
func previewError(c echo.Context, err error) error {
	var pe *PublicError
	msg := "The effect cannot be shown right now."
	if errors.As(err, &pe) {
		msg = pe.Message
	} else if c.Request().Context().Err() != nil {
		return err
	}
	return render(c, http.StatusOK, templates.MoneyPreviewUnavailable(msg))
}
