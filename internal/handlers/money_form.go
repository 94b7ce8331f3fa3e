package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// Shared parts of the three money forms (change amount and lines, capture,
// refund): reading typed amounts, quantities and percentages with a
// message at the field, the editing buttons that re-render instead of
// sending, and the preview endpoints' order read.

// maxQuantity bounds a typed quantity so that quantity × unit price stays
// far inside int64 (10^9 × 2×10^8 = 2×10^17); the client's own rules then
// refuse a line total above the API's limit.
const maxQuantity = 1_000_000_000

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
	if k := formValue(c, view.FieldKey); validKey(k) {
		f.Key = k
	}
	if fp, err := ParseFingerprint(formValue(c, view.FieldExpected)); err == nil {
		f.Expected = EncodeFingerprint(fp)
	}
}

// amountAt parses the amount typed in field name (money.Parse rules, in
// the order's currency); on failure the message is at the field.
func amountAt(f *view.Form, name, currency string) (int64, bool) {
	v, err := money.Parse(f.Value(name), currency)
	if err != nil {
		f.AddError(name, parseMessage(err))
		return 0, false
	}
	return v, true
}

// parseMessage is the sentence of a money.ParseError.
func parseMessage(err error) string {
	var pe *money.ParseError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return "Enter an amount such as 12.50"
}

// signedAmountAt is amountAt for a unit price, which may be negative when
// negOK (a discount line): "-10.00" is -1000 then.
func signedAmountAt(f *view.Form, name, currency string, negOK bool, negMsg string) (int64, bool) {
	s := f.Value(name)
	neg := strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−")
	if !neg {
		return amountAt(f, name, currency)
	}
	if !negOK {
		f.AddError(name, negMsg)
		return 0, false
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "−")
	v, err := money.Parse(rest, currency)
	if err != nil {
		f.AddError(name, parseMessage(err))
		return 0, false
	}
	return -v, true
}

// quantityAt parses a whole quantity in minQ..maxQ typed in field name;
// tooMany is the message above maxQ. With minQ 0 (a picker) an empty
// field means none.
func quantityAt(f *view.Form, name string, minQ, maxQ int64, tooMany string) (int64, bool) {
	s := f.Value(name)
	fail := func(msg string) (int64, bool) { f.AddError(name, msg); return 0, false }
	switch {
	case s == "" && minQ == 0:
		return 0, true
	case s == "":
		return fail("Enter a quantity")
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−"):
		return fail("The quantity cannot be negative")
	case strings.Trim(s, "0123456789") != "":
		return fail("Type a whole number, such as 2")
	case len(strings.TrimLeft(s, "0")) > 10:
		return fail(tooMany)
	}
	n, _ := strconv.ParseInt(s, 10, 64)
	switch {
	case n < minQ:
		return fail("The quantity must be at least 1 (remove the line instead)")
	case n > maxQ:
		return fail(tooMany)
	}
	return n, true
}

// percentAt parses a tax rate typed in percent with at most two decimals
// ("25", "12.5", "7,75", "25 %") into basis points, 0..10000.
func percentAt(f *view.Form, name string) (int64, bool) {
	bp, msg := parsePercent(f.Value(name))
	if msg != "" {
		f.AddError(name, msg)
		return 0, false
	}
	return bp, true
}

// parsePercent is percentAt's rule; msg is "" when s is valid.
func parsePercent(s string) (bp int64, msg string) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, "Enter the tax rate in percent (0 if none)"
	}
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−") {
		return 0, "The tax rate cannot be negative"
	}
	whole, frac, hasSep := strings.Cut(strings.ReplaceAll(s, ",", "."), ".")
	digits := func(x string) bool { return strings.Trim(x, "0123456789") == "" }
	switch {
	case !digits(whole) || !digits(frac) || (whole == "" && frac == "") || (hasSep && frac == ""):
		return 0, "Type a percentage such as 25 or 12.5"
	case len(frac) > 2:
		return 0, "At most two decimals (12.25 %)"
	case len(strings.TrimLeft(whole, "0")) > 3:
		return 0, "The tax rate must be between 0 and 100 %"
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	fr, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	bp = w*100 + fr
	if bp > omclient.MaxTaxRate {
		return 0, "The tax rate must be between 0 and 100 %"
	}
	return bp, ""
}

// textAt checks a text field with the shared rule (printable, at most
// maxLen characters, present when required).
func textAt(f *view.Form, name string, required bool, maxLen int) (string, bool) {
	v := f.Value(name)
	if msg := checkText(v, required, maxLen); msg != "" {
		f.AddError(name, msg)
		return "", false
	}
	return v, true
}

// addClientErrors checks a request body with the client's own rules
// before anything is sent, and puts each message at the form field rename
// maps its JSON path to ("" drops the path into the summary).
func addClientErrors(f *view.Form, body omclient.Request, rename func(path string) string) {
	err := omclient.ValidateRequest(body)
	var ve *omclient.ValidationError
	if !errors.As(err, &ve) {
		if err != nil {
			f.AddError("", "The change could not be checked: "+err.Error())
		}
		return
	}
	for _, fe := range ve.Fields {
		field := rename(fe.Field)
		if field == "" {
			f.AddError("", fe.Field+": "+fe.Message)
			continue
		}
		f.AddError(field, sentence(fe.Message))
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
		v := view.FromProviderError(err, id, h.Provider)
		return nil, &PublicError{Status: v.Status, Message: v.Heading + ": " + v.Message, Err: err}
	}
	a, _ := orders.FindAction(orders.Actions(o, h.Provider, h.now()), op)
	if !a.Allowed {
		return nil, &PublicError{Status: http.StatusConflict, Message: a.Reason}
	}
	return o, nil
}

// rowName is a line's name in messages: "line 3".
func rowName(i int) string { return fmt.Sprintf("Line %d", i+1) }

// trimValue trims a posted value the way formValue does.
func trimValue(s string) string { return strings.TrimSpace(s) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// atoiStrict reads a small non-negative index written by the form
// ("0", "12"); anything else is an error.
func atoiStrict(s string) (int, error) {
	if s == "" || len(s) > 6 || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("not an index")
	}
	return strconv.Atoi(s)
}
