package handlers

import (
	"errors"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// formValue reads one posted field, trimmed (form.Value).
func formValue(c echo.Context, name string) string {
	return form.Value(c.Request(), name)
}

// readWhy reads the reason and the helpdesk ticket (form.Why).
func readWhy(c echo.Context, f *view.Form, op string) (reason, ticket string, ok bool) {
	return form.Why(c.Request(), f, op)
}

// Short names of the form package's rules for the handlers that call
// them unqualified.
var (
	checkText = form.CheckText
	validKey  = form.ValidKey
	newKey    = form.NewKey
)

// readValues copies the named posted fields into the form's values.
func (cf *changeForm) readValues(c echo.Context, names ...string) {
	for _, n := range names {
		cf.Form.SetValue(n, formValue(c, n))
	}
}

// readCommon reads the hidden fields and the reason into the form (values
// kept for re-rendering) and returns the Change with everything but the
// body. ok is false when any of them is invalid; the messages are in
// cf.Form and nothing may be sent.
func (cf *changeForm) readCommon(c echo.Context) (orders.Change, bool) {
	f := &cf.Form
	ch := orders.Change{Op: cf.Action.Op, OrderID: cf.Order.OrderID, CaptureID: cf.Action.CaptureID, Detail: attemptDetail(c)}
	ok := true

	key := formValue(c, view.FieldKey)
	if form.ValidKey(key) {
		f.Key = key
		ch.IdempotencyKey = key
	} else {
		// f.Key already holds a fresh one from newForm.
		f.AddError("", "The form's request key was missing or damaged, so nothing was sent. A new key has been made: check the values and submit again.")
		ok = false
	}
	fp, err := orders.ParseFingerprint(formValue(c, view.FieldExpected))
	if err != nil {
		// f.Expected holds the order as just read; the agent looks again.
		f.AddError("", "The form's record of the order's state was missing or damaged, so nothing was sent. It now holds the order as it is: check the order and submit again.")
		ok = false
	} else {
		f.Expected = orders.EncodeFingerprint(fp)
		ch.Expected = &fp
	}

	// A confirmation of a change like a recent one (the intent rule); the
	// pipeline refuses it unless it matches this very draft.
	ch.Confirm = formValue(c, view.FieldConfirm)
	reason, ticket, whyOK := form.Why(c.Request(), f, string(cf.Action.Op))
	ch.Reason, ch.Ticket = reason, ticket
	ok = ok && whyOK
	return ch, ok
}

// keyUsed reports whether the idempotency key already has an audited
// attempt: a resubmit of a form that was sent, which the pipeline answers
// (replay or retry) even when the values now equal the order's, so "nothing
// changed" guards must let it through.
func (h *Handlers) keyUsed(c echo.Context, key string) bool {
	if key == "" || h.Audit == nil {
		return false
	}
	as, err := h.attemptsByKey(c, key)
	return err == nil && len(as) > 0
}

// attemptsByKeyKey holds, in the echo context, a request's lookup of its
// form's idempotency key.
const attemptsByKeyKey = "attempts_by_key"

type keyLookup struct {
	key string
	as  []audit.Attempt
	err error
}

// attemptsByKey returns the audited attempts sent with key, read once per
// request: a refund's submit asks up to three times (is the action still
// allowed, is it the same form again, is it held for approval) before the
// pipeline, which records the new attempt, is called.
func (h *Handlers) attemptsByKey(c echo.Context, key string) ([]audit.Attempt, error) {
	if l, ok := c.Get(attemptsByKeyKey).(keyLookup); ok && l.key == key {
		return l.as, l.err
	}
	as, err := h.Audit.AttemptsByKey(c.Request().Context(), key)
	c.Set(attemptsByKeyKey, keyLookup{key, as, err})
	return as, err
}

// validateBody checks a request body with the client's rules before
// anything is sent, so its messages appear at the fields together with the
// form's own (Apply would report them too, but only after the form's
// checks had passed).
func (cf *changeForm) validateBody(body omclient.Request) {
	var ve *omclient.ValidationError
	if err := omclient.ValidateRequest(body); errors.As(err, &ve) {
		form.ValidationErrors(&cf.Form, ve)
	}
}
