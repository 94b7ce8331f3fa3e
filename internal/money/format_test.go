package money

import (
	"math"
	"strings"
	"testing"
)

// sp writes the expected strings readably: "_" stands for the no-break space.
func sp(s string) string { return strings.ReplaceAll(s, "_", nbsp) }

func TestFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   int64
		currency string
		locale   string
		want     string
	}{
		{123450, "SEK", "sv-SE", "1_234,50_kr"},
		{123450, "SEK", "en-SE", "1_234,50_kr"},
		{123450, "SEK", "en-US", "SEK_1,234.50"},
		{123450, "SEK", "de-DE", "1.234,50_SEK"},
		{1250, "EUR", "en-US", "€12.50"},
		{1250, "EUR", "en-GB", "€12.50"},
		{1250, "EUR", "de-DE", "12,50_€"},
		{123450, "EUR", "de-DE", "1.234,50_€"},
		{123450, "EUR", "fr-FR", "1_234,50_€"},
		{123450, "EUR", "nl-NL", "€_1.234,50"},
		{123450, "EUR", "de-AT", "€_1_234,50"},
		{123450, "EUR", "fi-FI", "1_234,50_€"},
		{123450, "EUR", "es-ES", "1234,50_€"},
		{1234567, "EUR", "es-ES", "12.345,67_€"},
		{123450, "EUR", "", "€1,234.50"},
		{123450, "EUR", "xx-YY", "€1,234.50"},
		{1234, "JPY", "ja-JP", "¥1,234"},
		{1234, "JPY", "en-US", "¥1,234"},
		{5, "JPY", "en-US", "¥5"},
		{123456, "KRW", "ko-KR", "₩123,456"},
		{123450, "NOK", "nb-NO", "1_234,50_kr"},
		{123450, "NOK", "sv-SE", "1_234,50_NOK"},
		{123450, "DKK", "da-DK", "1.234,50_kr."},
		{123450, "CHF", "de-CH", "CHF_1’234.50"},
		{123450, "CHF", "en-US", "CHF_1,234.50"},
		{123450, "USD", "en-US", "$1,234.50"},
		{123450, "USD", "en-CA", "US$1,234.50"},
		{123450, "USD", "de-DE", "1.234,50_$"},
		{123450, "GBP", "en-GB", "£1,234.50"},
		{123450, "PLN", "pl-PL", "1234,50_zł"},
		{12345678, "PLN", "pl-PL", "123_456,78_zł"},
		{123450, "AUD", "en-AU", "$1,234.50"},
		{123450, "AUD", "en-US", "A$1,234.50"},
		{1250, "KWD", "en-US", "KWD_1.250"},
		{1, "EUR", "en-US", "€0.01"},
		{0, "EUR", "de-DE", "0,00_€"},
		{-1250, "EUR", "en-US", "-€12.50"},
		{-1250, "EUR", "de-DE", "-12,50_€"},
		{1250, "eur", "en_us", "€12.50"},
		{1250, "ZZZ", "en-US", "ZZZ_12.50"},
		{1250, "", "en-US", "12.50"},
		{100000000, "EUR", "sv-SE", "1_000_000,00_€"},
	}
	for _, tt := range tests {
		if got := Format(tt.amount, tt.currency, tt.locale); got != sp(tt.want) {
			t.Errorf("Format(%d, %q, %q) = %q, want %q", tt.amount, tt.currency, tt.locale, got, sp(tt.want))
		}
	}
}

func TestFormatPlain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   int64
		currency string
		want     string
	}{
		{123450, "EUR", "1234.50"},
		{5, "EUR", "0.05"},
		{0, "EUR", "0.00"},
		{1234, "JPY", "1234"},
		{0, "JPY", "0"},
		{1250, "KWD", "1.250"},
		{7, "BHD", "0.007"},
		{-1250, "EUR", "-12.50"},
		{math.MinInt64, "EUR", "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := FormatPlain(tt.amount, tt.currency); got != tt.want {
			t.Errorf("FormatPlain(%d, %q) = %q, want %q", tt.amount, tt.currency, got, tt.want)
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	for b.Loop() {
		Format(123456789, "SEK", "sv-SE")
	}
}

// Show writes every amount in the reader's number format, and the currency
// so that it cannot be mistaken: never "kr" or "$" alone.
func TestShow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount   int64
		currency string
		numbers  string
		want     string
	}{
		{123456, "EUR", "fr-FR", "1_234,56_€"},
		{123456, "EUR", "en-GB", "€1,234.56"},
		{123456, "EUR", "de-DE", "1.234,56_€"},
		{123456, "EUR", "nl-NL", "€_1.234,56"},
		{396747, "NOK", "nb-NO", "3_967,47_NOK"},
		{396747, "NOK", "en-GB", "NOK_3,967.47"},
		{396747, "SEK", "sv-SE", "3_967,47_SEK"},
		{396747, "DKK", "da-DK", "3.967,47_DKK"},
		{396747, "ISK", "is-IS", "396.747_ISK"},
		{123450, "USD", "en-US", "US$1,234.50"},
		{123450, "AUD", "en-AU", "A$1,234.50"},
		{123450, "SGD", "en-SG", "SGD_1,234.50"},
		{123450, "PLN", "de-DE", "1.234,50_zł"},
		{1234, "JPY", "de-DE", "1.234_¥"},
		{123450, "CHF", "de-CH", "CHF_1’234.50"},
		{-1250, "EUR", "de-DE", "-12,50_€"},
		{1250, "ZZZ", "en-GB", "ZZZ_12.50"},
		{1250, "EUR", "", "€12.50"},
	}
	for _, tt := range tests {
		if got := Show(tt.amount, tt.currency, tt.numbers); got != sp(tt.want) {
			t.Errorf("Show(%d, %q, %q) = %q, want %q", tt.amount, tt.currency, tt.numbers, got, sp(tt.want))
		}
	}
}
