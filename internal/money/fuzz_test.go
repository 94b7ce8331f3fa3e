package money

import (
	"strings"
	"testing"
)

// FuzzPlainRoundTrip: every amount Parse accepts is written back by
// FormatPlain into a string Parse reads as the same amount, and every
// amount in 0..MaxAmount survives FormatPlain -> Parse.
func FuzzPlainRoundTrip(f *testing.F) {
	for _, seed := range []struct {
		amount   int64
		currency string
	}{{0, "EUR"}, {1, "EUR"}, {1250, "SEK"}, {MaxAmount, "EUR"}, {1234, "JPY"}, {1500, "KWD"}, {1, "CLF"}, {99, "zzz"}, {-5, "EUR"}} {
		f.Add(seed.amount, seed.currency)
	}
	f.Fuzz(func(t *testing.T, amount int64, currency string) {
		s := FormatPlain(amount, currency)
		got, err := Parse(s, currency)
		if amount < 0 || amount > MaxAmount {
			if err == nil {
				t.Fatalf("Parse(%q, %q) accepted %d outside 0..MaxAmount", s, currency, got)
			}
			return
		}
		if err != nil || got != amount {
			t.Fatalf("Parse(FormatPlain(%d, %q) = %q) = %d, %v", amount, currency, s, got, err)
		}
	})
}

// FuzzParse: Parse never panics, accepts only 0..MaxAmount, and what it
// accepts round-trips through FormatPlain and through Format for locales
// whose digit grouping Parse understands (spaces, apostrophes).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"12.50", "12,50", "1 234,50", "1'234.50", "12.505", "1,2,3", "-5", "", "€12.50",
		"12,50 kr", "US$1", "99999999999999999999", ".", "٣", "1\u00a0234", "\xff", "EUR 1"} {
		f.Add(s, "EUR")
		f.Add(s, "JPY")
	}
	f.Add("1.5", "KWD")
	f.Add("12,50 kr", "SEK")
	f.Fuzz(func(t *testing.T, s, currency string) {
		v, err := Parse(s, currency)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("Parse(%q, %q): empty error message", s, currency)
			}
			return
		}
		if v < 0 || v > MaxAmount {
			t.Fatalf("Parse(%q, %q) = %d outside 0..MaxAmount", s, currency, v)
		}
		if back, err := Parse(FormatPlain(v, currency), currency); err != nil || back != v {
			t.Fatalf("round trip of %d (%q): %d, %v", v, currency, back, err)
		}
		if !Known(currency) && strings.TrimSpace(currency) != "" {
			return
		}
		for _, loc := range []string{"sv-SE", "fr-FR", "de-CH", "fi-FI", "da-DK"} {
			shown := Format(v, currency, loc)
			if loc == "da-DK" && v >= 1000*pow10(Exponent(currency)) {
				continue // "1.234,50": "." groups in Danish, which Parse refuses by design
			}
			if back, err := Parse(shown, currency); err != nil || back != v {
				t.Fatalf("Parse(Format(%d, %q, %q) = %q) = %d, %v", v, currency, loc, shown, back, err)
			}
		}
	})
}

// FuzzFormat: Format never panics and writes at least every digit of the
// amount, for any amount, currency and locale.
func FuzzFormat(f *testing.F) {
	f.Add(int64(123450), "SEK", "sv-SE")
	f.Add(int64(-9223372036854775808), "JPY", "ja")
	f.Add(int64(1), "kwd", "en_US")
	f.Add(int64(42), "", "zh-Hant-TW")
	f.Add(int64(42), "EUR", "-_-")
	f.Fuzz(func(t *testing.T, amount int64, currency, loc string) {
		s := Format(amount, currency, loc)
		if s == "" {
			t.Fatalf("Format(%d, %q, %q) is empty", amount, currency, loc)
		}
		plain := FormatPlain(amount, currency)
		var want, got strings.Builder
		for _, r := range plain {
			if r >= '0' && r <= '9' {
				want.WriteRune(r)
			}
		}
		for _, r := range s {
			if r >= '0' && r <= '9' {
				got.WriteRune(r)
			}
		}
		if !strings.Contains(got.String(), want.String()) {
			t.Fatalf("Format(%d, %q, %q) = %q lost digits of %q", amount, currency, loc, s, plain)
		}
	})
}
