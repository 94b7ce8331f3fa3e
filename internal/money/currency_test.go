package money

import "testing"

func TestExponent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want int
	}{
		{"JPY", 0}, {"jpy", 0}, {" KRW ", 0}, {"ISK", 0}, {"CLP", 0}, {"VND", 0}, {"XOF", 0},
		{"BHD", 3}, {"KWD", 3}, {"JOD", 3}, {"OMR", 3}, {"TND", 3}, {"LYD", 3}, {"IQD", 3},
		{"CLF", 4},
		{"EUR", 2}, {"sek", 2}, {"USD", 2}, {"HUF", 2},
		{"ZZZ", DefaultExponent}, {"", DefaultExponent},
	}
	for _, tt := range tests {
		if got := Exponent(tt.code); got != tt.want {
			t.Errorf("Exponent(%q) = %d, want %d", tt.code, got, tt.want)
		}
	}
}

func TestKnown(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"EUR", "sek", "JPY", "KWD", "XCG", "HRK"} {
		if !Known(code) {
			t.Errorf("Known(%q) = false", code)
		}
	}
	for _, code := range []string{"", "EURO", "XAU", "XXX", "ABC"} {
		if Known(code) {
			t.Errorf("Known(%q) = true", code)
		}
	}
}
