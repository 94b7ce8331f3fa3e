package form

import (
	"errors"
	"strconv"
	"strings"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/web/templates/view"
)

// maxQuantity bounds a typed quantity so that quantity × unit price stays
// far inside int64 (10^9 × 2×10^8 = 2×10^17); the client's own rules then
// refuse a line total above the API's limit.
const maxQuantity = 1_000_000_000

// Amount parses the amount typed in field name (money.Parse rules, in
// the order's currency); on failure the message is at the field.
func Amount(f *view.Form, name, currency string) (int64, bool) {
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

// signedAmount is Amount for a unit price, which may be negative when
// negOK (a discount line): "-10.00" is -1000 then.
func signedAmount(f *view.Form, name, currency string, negOK bool, negMsg string) (int64, bool) {
	s := f.Value(name)
	neg := strings.HasPrefix(s, "-") || strings.HasPrefix(s, "−")
	if !neg {
		return Amount(f, name, currency)
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

// Quantity parses a whole quantity in minQ..maxQ typed in field name;
// tooMany is the message above maxQ. With minQ 0 (a picker) an empty
// field means none.
func Quantity(f *view.Form, name string, minQ, maxQ int64, tooMany string) (int64, bool) {
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

// Percent parses a tax rate typed in percent with at most two decimals
// ("25", "12.5", "7,75", "25 %") into basis points, 0..10000.
func Percent(f *view.Form, name string) (int64, bool) {
	bp, msg := parsePercent(f.Value(name))
	if msg != "" {
		f.AddError(name, msg)
		return 0, false
	}
	return bp, true
}

// parsePercent is Percent's rule; msg is "" when s is valid.
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

// Text checks a text field with the shared rule (printable, at most
// maxLen characters, present when required).
func Text(f *view.Form, name string, required bool, maxLen int) (string, bool) {
	v := f.Value(name)
	if msg := CheckText(v, required, maxLen); msg != "" {
		f.AddError(name, msg)
		return "", false
	}
	return v, true
}
