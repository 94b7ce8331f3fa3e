package money

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		currency string
		want     int64
	}{
		{"12.50", "EUR", 1250},
		{"12,50", "EUR", 1250},
		{"12.5", "EUR", 1250},
		{"12", "EUR", 1200},
		{"0", "EUR", 0},
		{".5", "EUR", 50},
		{"  12.50  ", "EUR", 1250},
		{"1 234.50", "EUR", 123450},
		{"1\u00a0234,50", "SEK", 123450},
		{"1\u202f234,50", "EUR", 123450},
		{"1'234.50", "CHF", 123450},
		{"1’234.50", "CHF", 123450},
		{"1 000 000", "EUR", 100000000},
		{"1234", "JPY", 1234},
		{"1 234", "JPY", 1234},
		{"1.5", "KWD", 1500},
		{"1.234", "BHD", 1234},
		{"0.0001", "CLF", 1},
		{"12.50 EUR", "EUR", 1250},
		{"eur 12.50", "EUR", 1250},
		{"€12.50", "EUR", 1250},
		{"12,50 €", "EUR", 1250},
		{"1 234,50 kr", "SEK", 123450},
		{"$12.50", "USD", 1250},
		{"US$12.50", "USD", 1250},
		{"12.50", "sek", 1250},
		{"2000000", "EUR", MaxAmount},
		{"200000000", "JPY", MaxAmount},
		{"000012.50", "EUR", 1250},
		{"12.50", "", 1250},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q, %q) = %d, %v; want %d", tt.in, tt.currency, got, err, tt.want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in       string
		currency string
		kind     error
		msg      string
	}{
		{"", "EUR", ErrEmpty, "Enter an amount"},
		{"   ", "EUR", ErrEmpty, "Enter an amount"},
		{"12.505", "EUR", ErrTooManyDecimals, "EUR has 2 decimals"},
		{"12.505 EUR", "EUR", ErrTooManyDecimals, "EUR has 2 decimals"},
		{"1,234", "EUR", ErrTooManyDecimals, "EUR has 2 decimals"},
		{"12.5", "JPY", ErrTooManyDecimals, "JPY has no decimals"},
		{"1,234", "JPY", ErrTooManyDecimals, "JPY has no decimals"},
		{"1.2345", "KWD", ErrTooManyDecimals, "KWD has 3 decimals"},
		{"1,2,3", "EUR", ErrMalformed, ""},
		{"1.234,50", "EUR", ErrMalformed, ""},
		{"1,234.50", "EUR", ErrMalformed, ""},
		{"-5", "EUR", ErrNegative, "The amount cannot be negative"},
		{"−5", "EUR", ErrNegative, "The amount cannot be negative"},
		{"-5 EUR", "EUR", ErrNegative, "The amount cannot be negative"},
		{"+5", "EUR", ErrMalformed, ""},
		{"abc", "EUR", ErrMalformed, ""},
		{"12a", "EUR", ErrMalformed, ""},
		{"1e3", "EUR", ErrMalformed, ""},
		{".", "EUR", ErrMalformed, ""},
		{"12 34", "EUR", ErrMalformed, "Group digits in threes (1 234 567.50) or not at all"},
		{"1234 567", "EUR", ErrMalformed, "Group digits in threes (1 234 567.50) or not at all"},
		{" 1 2", "EUR", ErrMalformed, ""},
		{"12.50 USD", "EUR", ErrMalformed, ""},
		{"$12.50", "EUR", ErrMalformed, ""},
		{"EUR", "EUR", ErrEmpty, ""},
		{"2000000.01", "EUR", ErrTooLarge, "The amount is too large: at most 2000000.00 EUR"},
		{"200000001", "JPY", ErrTooLarge, "The amount is too large: at most 200000000 JPY"},
		{"99999999999999999999999999", "EUR", ErrTooLarge, ""},
		{"٣", "EUR", ErrMalformed, ""},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.currency)
		if err == nil {
			t.Errorf("Parse(%q, %q) = %d, want an error", tt.in, tt.currency, got)
			continue
		}
		if !errors.Is(err, tt.kind) {
			t.Errorf("Parse(%q, %q) error %v, want kind %v", tt.in, tt.currency, err, tt.kind)
		}
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Message == "" {
			t.Errorf("Parse(%q, %q) error %#v is not a *ParseError with a message", tt.in, tt.currency, err)
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("Parse(%q, %q) message %q, want %q", tt.in, tt.currency, err.Error(), tt.msg)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		_, _ = Parse("1 234,50", "SEK")
	}
}
