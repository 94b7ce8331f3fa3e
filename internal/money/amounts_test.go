package money

import "testing"

func TestParseAmounts(t *testing.T) {
	m, err := ParseAmounts("X", " eur:50000, SEK : 500000 ,USD:0")
	if err != nil || m["EUR"] != 50000 || m["SEK"] != 500000 || m["USD"] != 0 || len(m) != 3 {
		t.Fatalf("ParseAmounts = %v, %v", m, err)
	}
	if got := FormatAmounts(m); got != "EUR:50000,SEK:500000,USD:0" {
		t.Fatalf("FormatAmounts = %q", got)
	}
	for _, bad := range []string{"EUR", "EUR:", "EUR:5.00", "EUR:-1", "XXX:1", "EUR:1,EUR:2", "EUR:1;SEK:2", ":5"} {
		if _, err := ParseAmounts("ORDERCARE_APPROVAL_THRESHOLDS", bad); err == nil {
			t.Errorf("ParseAmounts(%q) accepted", bad)
		}
	}
	if m, err := ParseAmounts("X", ""); err != nil || len(m) != 0 {
		t.Fatalf("empty: %v %v", m, err)
	}
}
