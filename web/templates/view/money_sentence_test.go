package view

import (
	"testing"
	"time"

	"ordercare/internal/audit"
)

// A stored sentence reads its amounts in the reader's format; what is not
// an amount of a known currency stays as written.
func TestMoneyIn(t *testing.T) {
	const nb = "\u00a0"
	for _, c := range []struct{ in, numbers, want string }{
		{"Refunds of more than 500.00 EUR need a second person’s approval.", "de-DE",
			"Refunds of more than 500,00" + nb + "€ need a second person’s approval."},
		{"Refunds of more than 500.00 EUR need a second person’s approval.", "en-GB",
			"Refunds of more than €500.00 need a second person’s approval."},
		{"come to 1250.50 SEK (1000.00 SEK refunded or waiting)", "sv-SE",
			"come to 1" + nb + "250,50" + nb + "SEK (1" + nb + "000,00" + nb + "SEK refunded or waiting)"},
		{"a limit of 5000 JPY.", "en-US", "a limit of ¥5,000."},
		{"in the last 24 hours, 3 refunds", "de-DE", "in the last 24 hours, 3 refunds"},
		{"No approval threshold is set for PLN, so every refund in PLN", "de-DE",
			"No approval threshold is set for PLN, so every refund in PLN"},
		{"code 12.5 XYZ and A1.00 EUR stay", "de-DE", "code 12.5 XYZ and A1.00 EUR stay"},
		{"too many decimals 1.234 EUR", "de-DE", "too many decimals 1.234 EUR"},
		{"", "de-DE", ""},
	} {
		if got := MoneyIn(c.in, c.numbers); got != c.want {
			t.Errorf("MoneyIn(%q, %q) = %q, want %q", c.in, c.numbers, got, c.want)
		}
	}
}

// A check's findings on the attempt page read in the reader's format.
func TestAttemptCheckReadsInTheReadersFormat(t *testing.T) {
	ev := audit.Event{Kind: audit.KindReconciled, Detail: map[string]string{"captured_amount": "40.00 EUR",
		"settled_why": "The provider shows capture c1 of 40.00 EUR, made after the attempt.", "status": "CAPTURED"}}
	v := NewAttemptView(audit.Attempt{}, audit.AttemptRow{}, []audit.Event{ev}, time.UTC, "de-DE")
	if len(v.Reviews) != 1 {
		t.Fatalf("%d review entries", len(v.Reviews))
	}
	got := map[string]string{}
	for _, f := range v.Reviews[0].Detail {
		got[f.Label] = f.Value
	}
	if got["captured_amount"] != "40,00\u00a0€" || got["settled_why"] != "The provider shows capture c1 of 40,00\u00a0€, made after the attempt." {
		t.Errorf("the check reads %q", got)
	}
}
