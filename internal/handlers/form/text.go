// Package form reads the order forms' posted fields into values and
// field messages: the rules a typed amount, quantity, tax rate, text or
// line must meet, the request key, the reason for a change; and the list
// pages' filters read from the URL's query (the view models are handed
// the values). It knows the forms' view model (view.Form) and the
// client's request rules, but no HTTP framework: the handlers pass the
// request and answer it. The same
// split as miniflux's ui/form
// (https://github.com/miniflux/v2/tree/main/internal/ui/form).
package form

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Value reads one posted field, trimmed. Forms read only the names they
// know (never a bind of the whole body), so no other field can reach a
// request.
func Value(r *http.Request, name string) string {
	return strings.TrimSpace(r.FormValue(name))
}

// CheckText is the shared rule for a single-line text field: printable,
// at most max characters, and present when required. It returns the
// message to show, or "".
func CheckText(s string, required bool, max int) string {
	switch {
	case !utf8.ValidString(s):
		return "Use plain text"
	case strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }):
		return "Use printable characters only (no line breaks or control characters)"
	case required && s == "":
		return "Enter a value"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("At most %d characters (you typed %d)", max, n)
	}
	return ""
}

// RowName is a line's name in messages: "line 3".
func RowName(i int) string { return fmt.Sprintf("Line %d", i+1) }

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// Index reads a small non-negative index written by the form ("0", "12");
// anything else is an error.
func Index(s string) (int, error) {
	if s == "" || len(s) > 6 || strings.Trim(s, "0123456789") != "" {
		return 0, errors.New("not an index")
	}
	return strconv.Atoi(s)
}

// DescribeChanges writes the values that differ between before and after
// as "city Berlin → Hamburg; postal code 10115 → 20095", in the order of
// keys, using labels for the names ("" values shown as "(none)").
func DescribeChanges(before, after map[string]string, keys []string, labels map[string]string) string {
	var parts []string
	show := func(s string) string {
		if s == "" {
			return "(none)"
		}
		return s
	}
	for _, k := range keys {
		b, a := before[k], after[k]
		if b == a {
			continue
		}
		label := labels[k]
		if label == "" {
			label = k
		}
		parts = append(parts, label+" "+show(b)+" → "+show(a))
	}
	return strings.Join(parts, "; ")
}
