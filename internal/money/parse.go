package money

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Kinds of parse failure, for errors.Is; the *ParseError's message is the
// text to show next to the field.
var (
	ErrEmpty           = errors.New("money: empty amount")
	ErrNegative        = errors.New("money: negative amount")
	ErrMalformed       = errors.New("money: malformed amount")
	ErrTooManyDecimals = errors.New("money: too many decimals")
	ErrTooLarge        = errors.New("money: amount too large")
)

// ParseError is a refused amount. Error() is a sentence fit to show next to
// the form field; Unwrap gives the kind (ErrEmpty, ErrNegative, ...).
type ParseError struct {
	Kind    error
	Message string
}

func (e *ParseError) Error() string { return e.Message }
func (e *ParseError) Unwrap() error { return e.Kind }

func parseErr(kind error, format string, args ...any) error {
	return &ParseError{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// isGroupSep reports whether r may group digits in the integer part:
// spaces (plain, no-break, narrow no-break, thin) and apostrophes (Swiss
// style). "." and "," never group: they are always the decimal separator,
// so "1,234" for EUR is refused as three decimals instead of silently
// becoming 1234.00 or 1.23.
func isGroupSep(r rune) bool {
	switch r {
	case ' ', '\u00a0', '\u202f', '\u2009', '\'', '’':
		return true
	}
	return false
}

// Parse reads an amount typed in major units of currency and returns it in
// minor units: "12.50" and "12,50" EUR are 1250, "1 234.50" is 123450,
// "1234" JPY is 1234, "1.5" KWD is 1500.
//
// Rules, chosen so that no typed value is ever misread:
//   - one decimal separator, "." or ","; at most Exponent(currency) digits
//     after it ("12.505" EUR: "EUR has 2 decimals"; "12.5" JPY: "JPY has no
//     decimals");
//   - digits of the integer part may be grouped in threes with spaces or
//     apostrophes ("1 234 567.50", "1'234.50"), never with "." or ",";
//   - the currency's ISO code or symbol may precede or follow the number
//     ("12.50 EUR", "€12.50"), so a pasted displayed amount reads back;
//   - refused: empty input, a sign ("-5", "+5"), "1,2,3", letters, and
//     anything above MaxAmount.
//
// Errors are *ParseError.
func Parse(s, currency string) (int64, error) {
	code := normCode(currency)
	exp := Exponent(code)
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, parseErr(ErrEmpty, "Enter an amount")
	}
	s = stripCurrency(s, code)
	if s == "" {
		return 0, parseErr(ErrEmpty, "Enter an amount")
	}
	if r, _ := utf8.DecodeRuneInString(s); r == '-' || r == '−' {
		return 0, parseErr(ErrNegative, "The amount cannot be negative")
	}

	intPart, frac, err := splitAmount(s)
	if err != nil {
		return 0, err
	}
	if len(frac) > exp {
		switch {
		case exp == 0 && code != "":
			return 0, parseErr(ErrTooManyDecimals, "%s has no decimals", code)
		case exp == 0:
			return 0, parseErr(ErrTooManyDecimals, "This currency has no decimals")
		case code != "":
			return 0, parseErr(ErrTooManyDecimals, "%s has %d decimals", code, exp)
		default:
			return 0, parseErr(ErrTooManyDecimals, "Amounts have %d decimals", exp)
		}
	}
	if intPart == "" && frac == "" {
		return 0, malformed()
	}

	intPart = strings.TrimLeft(intPart, "0")
	// MaxAmount has 9 digits; 16 integer digits cannot fit whatever the
	// exponent, and stopping here keeps the arithmetic below in int64.
	if len(intPart) > 15 {
		return 0, tooLarge(code)
	}
	var v int64
	for _, c := range intPart {
		v = v*10 + int64(c-'0')
	}
	v *= pow10(exp)
	f := int64(0)
	for _, c := range frac {
		f = f*10 + int64(c-'0')
	}
	v += f * pow10(exp-len(frac))
	if v > MaxAmount {
		return 0, tooLarge(code)
	}
	return v, nil
}

func malformed() error {
	return parseErr(ErrMalformed, "Type an amount such as 1234.50: digits, one decimal separator, no thousands separators")
}

func tooLarge(code string) error {
	if code == "" {
		return parseErr(ErrTooLarge, "The amount is too large: at most %s", FormatPlain(MaxAmount, code))
	}
	return parseErr(ErrTooLarge, "The amount is too large: at most %s %s", FormatPlain(MaxAmount, code), code)
}

// splitAmount checks the characters and grouping of s and returns the
// integer digits (grouping removed) and the fraction digits.
func splitAmount(s string) (intPart, frac string, err error) {
	var ip, fp strings.Builder
	hasSep := false
	groups := []int{0} // digit counts of the integer part's groups
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			if hasSep {
				fp.WriteRune(r)
			} else {
				ip.WriteRune(r)
				groups[len(groups)-1]++
			}
		case r == '.' || r == ',':
			if hasSep {
				return "", "", malformed()
			}
			hasSep = true
		case isGroupSep(r):
			if hasSep || groups[len(groups)-1] == 0 {
				return "", "", malformed()
			}
			groups = append(groups, 0)
		default:
			return "", "", malformed()
		}
	}
	if len(groups) > 1 {
		if groups[0] > 3 {
			return "", "", parseErr(ErrMalformed, "Group digits in threes (1 234 567.50) or not at all")
		}
		for _, g := range groups[1:] {
			if g != 3 {
				return "", "", parseErr(ErrMalformed, "Group digits in threes (1 234 567.50) or not at all")
			}
		}
	}
	return ip.String(), fp.String(), nil
}

// stripCurrency removes one leading or trailing mention of the currency
// (its ISO code, case-insensitively, or one of its symbols) and the space
// around it. Symbols of other currencies stay and make the input malformed.
func stripCurrency(s, code string) string {
	var cands []string
	if isISOCode(code) {
		cands = append(cands, code)
	}
	if info, ok := symbols[code]; ok {
		for _, sym := range []string{info.global, info.local} {
			if sym != "" {
				cands = append(cands, sym)
			}
		}
	}
	// Longer first, so "US$" is removed whole rather than leaving "US".
	sort.Slice(cands, func(i, j int) bool { return len(cands[i]) > len(cands[j]) })
	trim := func(x string) string {
		return strings.TrimFunc(x, func(r rune) bool { return r == ' ' || isGroupSep(r) && r != '\'' && r != '’' })
	}
	for _, c := range cands {
		if len(s) >= len(c) && strings.EqualFold(s[:len(c)], c) {
			return trim(s[len(c):])
		}
		if len(s) >= len(c) && strings.EqualFold(s[len(s)-len(c):], c) {
			return trim(s[:len(s)-len(c)])
		}
	}
	return s
}

// isISOCode reports whether code has the shape of an ISO 4217 code (three
// letters), so that a garbage currency such as "1" never eats digits.
func isISOCode(code string) bool {
	if len(code) != 3 {
		return false
	}
	for i := range 3 {
		if code[i] < 'A' || code[i] > 'Z' {
			return false
		}
	}
	return true
}
