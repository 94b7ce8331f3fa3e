package form

import (
	"strings"
	"testing"

	"ordercare/web/templates/view"
)

// The typed-value rules of the money forms, one by one (the form tests
// in money_*_test.go and order_*_test.go check them at the fields).

func TestParsePercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		bp   int64
		fail string // part of the message; "" for valid input
	}{
		{"25", 2500, ""}, {"12.5", 1250, ""}, {"7,75", 775, ""}, {"25 %", 2500, ""}, {"25%", 2500, ""},
		{"0", 0, ""}, {"100", 10000, ""}, {"100.00", 10000, ""}, {"007", 700, ""}, {".5", 50, ""},
		{"", 0, "Enter the tax rate"}, {"100.01", 0, "between 0 and 100"}, {"1000", 0, "between 0 and 100"},
		{"-1", 0, "cannot be negative"}, {"−5", 0, "cannot be negative"}, {"12.345", 0, "two decimals"},
		{"12.", 0, "such as 25"}, {"1,2,3", 0, "such as 25"}, {"abc", 0, "such as 25"}, {"25 5", 0, "such as 25"},
		{"99999999999999999999", 0, "between 0 and 100"},
	}
	for _, tt := range tests {
		bp, msg := parsePercent(tt.in)
		switch {
		case tt.fail == "" && (msg != "" || bp != tt.bp):
			t.Errorf("ParsePercent(%q) = %d, %q; want %d", tt.in, bp, msg, tt.bp)
		case tt.fail != "" && !containsText(msg, tt.fail):
			t.Errorf("ParsePercent(%q) message %q, want it to contain %q", tt.in, msg, tt.fail)
		}
	}
}

func TestQuantityAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in         string
		minQ, maxQ int64
		want       int64
		fail       string
	}{
		{"3", 1, 10, 3, ""}, {"0", 0, 10, 0, ""}, {"", 0, 10, 0, ""}, {"010", 1, 10, 10, ""},
		{"", 1, 10, 0, "Enter a quantity"}, {"0", 1, 10, 0, "at least 1"}, {"11", 1, 10, 0, "too many"},
		{"-1", 0, 10, 0, "negative"}, {"1.5", 1, 10, 0, "whole number"}, {"+2", 1, 10, 0, "whole number"},
		{"99999999999999999999999", 1, maxQuantity, 0, "too many"},
	}
	for _, tt := range tests {
		f := view.Form{Values: map[string]string{"q": tt.in}}
		got, ok := Quantity(&f, "q", tt.minQ, tt.maxQ, "too many")
		switch {
		case tt.fail == "" && (!ok || got != tt.want):
			t.Errorf("Quantity(%q) = %d, %v (%q); want %d", tt.in, got, ok, f.Err("q"), tt.want)
		case tt.fail != "" && (ok || !containsText(f.Err("q"), tt.fail)):
			t.Errorf("Quantity(%q) ok=%v message %q, want %q", tt.in, ok, f.Err("q"), tt.fail)
		}
	}
}

func TestSignedAmountAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		negOK bool
		want  int64
		fail  string
	}{
		{"-10.00", true, -1000, ""}, {"−2,50", true, -250, ""}, {"12.50", false, 1250, ""},
		{"-10", false, 0, "not here"}, {"-12.505", true, 0, "2 decimals"}, {"-", true, 0, "Enter an amount"},
	}
	for _, tt := range tests {
		f := view.Form{Values: map[string]string{"p": tt.in}}
		got, ok := signedAmount(&f, "p", "EUR", tt.negOK, "not here")
		switch {
		case tt.fail == "" && (!ok || got != tt.want):
			t.Errorf("SignedAmount(%q) = %d, %v (%q); want %d", tt.in, got, ok, f.Err("p"), tt.want)
		case tt.fail != "" && (ok || !containsText(f.Err("p"), tt.fail)):
			t.Errorf("SignedAmount(%q) message %q, want %q", tt.in, f.Err("p"), tt.fail)
		}
	}
}

func TestSplitLinePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		k    int
		rest string
		ok   bool
	}{
		{"order_lines[3].tax_rate", 3, "tax_rate", true}, {"order_lines[0]", 0, "", true},
		{"order_lines[x].name", 0, "", false}, {"shipping_info[0].tracking_uri", 0, "", false}, {"order_lines[", 0, "", false},
	}
	for _, tt := range tests {
		k, rest, ok := SplitLinePath(tt.in)
		if k != tt.k || rest != tt.rest || ok != tt.ok {
			t.Errorf("SplitLinePath(%q) = %d, %q, %v", tt.in, k, rest, ok)
		}
	}
	// A computed field points at the input that drives it.
	if got := LineFieldOf("order_lines[1].total_amount", []int{4, 7}, "unit_price"); got != "order_lines[7].unit_price" {
		t.Errorf("LineFieldOf = %q", got)
	}
	if got := LineFieldOf("order_lines[2].name", []int{4, 7}, "unit_price"); got != "" {
		t.Errorf("a line that was not sent maps to %q", got)
	}
}

func containsText(s, sub string) bool { return strings.Contains(s, sub) }
