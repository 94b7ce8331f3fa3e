package omclient

import (
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"ordercare/internal/money"
)

// FuzzDecodeOrder: any body either fails to decode or decodes to an Order
// whose encoding is stable: encode → decode → encode gives the same bytes
// (the client never re-sends something it cannot read back).
func FuzzDecodeOrder(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "seeds"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "seeds", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"order_id":"a","created_at":"0000-01-01T00:30:00+01:00"}`))
	f.Add([]byte(`{"purchase_currency":1e400,"merchant_reference1":-0,"captures":[{"captured_at":"2024-02-30"}]}`))
	f.Add([]byte(`{"order_lines":[{"quantity":9223372036854775807,"unit_price":-9223372036854775808}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var o Order
		if err := json.Unmarshal(body, &o); err != nil {
			return
		}
		first, err := json.Marshal(&o)
		if err != nil {
			t.Fatalf("decoded order does not encode: %v", err)
		}
		var again Order
		if err := json.Unmarshal(first, &again); err != nil {
			t.Fatalf("re-encoded order does not decode: %v\n%s", err, first)
		}
		second, err := json.Marshal(&again)
		if err != nil || string(first) != string(second) {
			t.Fatalf("encoding not stable:\n%s\n%s", first, second)
		}
	})
}

// FuzzValidateLines: validation never panics, and a line it accepts obeys
// the documented arithmetic when checked in exact integers; a line built
// from the formulas within the limits is accepted.
func FuzzValidateLines(f *testing.F) {
	f.Add(int64(2), int64(1250), int64(0), int64(2500), int64(2500), int64(500), "physical")
	f.Add(int64(1), int64(-500), int64(0), int64(0), int64(-500), int64(0), "return_fee")
	f.Add(int64(1), int64(-14950), int64(0), int64(2500), int64(-14950), int64(0), "discount")
	f.Add(int64(3), int64(333), int64(1), int64(1200), int64(998), int64(107), "digital")
	f.Add(int64(-1), int64(100), int64(0), int64(0), int64(-100), int64(0), "physical")
	f.Add(int64(1<<62), int64(-1), int64(200_000_000), int64(0), int64(0), int64(0), "physical")
	f.Add(int64(9223372036854775807), int64(-9223372036854775808), int64(-1), int64(10001), int64(1), int64(1), "xphysicalx")
	f.Fuzz(func(t *testing.T, q, unit, discount, rate, total, tax int64, typ string) {
		line := OrderLine{Type: Text(typ), Name: "Item", Quantity: q, UnitPrice: unit, TotalDiscountAmount: discount,
			TaxRate: rate, TotalAmount: total, TotalTaxAmount: tax}
		fe := ValidateOrderLines([]OrderLine{line})
		if len(fe) == 0 {
			bq, bu, bd, bt := big.NewInt(q), big.NewInt(unit), big.NewInt(discount), big.NewInt(total)
			want := new(big.Int).Sub(new(big.Int).Mul(bq, bu), bd)
			diff := new(big.Int).Abs(new(big.Int).Sub(bt, want))
			if diff.Cmp(bq) > 0 {
				t.Fatalf("accepted %+v: total off by %v, more than quantity", line, diff)
			}
			if q < 0 || rate < 0 || rate > MaxTaxRate || discount < 0 || abs(total) > money.MaxAmount || abs(unit) > money.MaxAmount {
				t.Fatalf("accepted out-of-range line %+v", line)
			}
			if d := tax - money.TaxIncluded(total, rate); d < -1 || d > 1 {
				t.Fatalf("accepted %+v: tax off by %d", line, d)
			}
			if typ == LineTypeReturnFee && (unit >= 0 || total >= 0) {
				t.Fatalf("accepted a non-negative return fee %+v", line)
			}
			// The same line in a request that sums up is a valid refund.
			if err := ValidateRequest(&RefundRequest{RefundedAmount: total, OrderLines: []OrderLine{line}}); err != nil && total >= 0 {
				t.Fatalf("valid line in a matching refund refused: %v", err)
			}
		}
		// Build a canonical line from the inputs, clamped into the limits:
		// it must be accepted.
		cq, cu, cd, cr := clamp(q, 0, 1000), clamp(unit, -100_000, 100_000), clamp(discount, 0, 100_000), clamp(rate, 0, MaxTaxRate)
		ct := money.LineTotal(cq, cu, cd)
		if abs(ct) > money.MaxAmount {
			return
		}
		typ2 := LineTypePhysical
		if ct < 0 && cu < 0 {
			typ2 = LineTypeReturnFee
		}
		canon := OrderLine{Type: Text(typ2), Name: "Item", Quantity: cq, UnitPrice: cu, TotalDiscountAmount: cd, TaxRate: cr,
			TotalAmount: ct, TotalTaxAmount: money.TaxIncluded(ct, cr)}
		if fe := ValidateOrderLines([]OrderLine{canon}); len(fe) != 0 {
			t.Fatalf("canonical line %+v refused: %v", canon, fe)
		}
	})
}

func clamp(v, lo, hi int64) int64 { return max(lo, min(hi, v)) }

// FuzzTextDecodesStringsLikeEncodingJSON: Text's fast path for plain
// strings decodes every JSON string literal exactly as encoding/json
// does, escapes, control characters and invalid UTF-8 included.
func FuzzTextDecodesStringsLikeEncodingJSON(f *testing.F) {
	for _, s := range []string{"", "Testgatan 10", "Müller", `a \"quoted\" \u00e9 \n`, "\xff\xfe", "tab\there", "€ 12,50", `\ud800`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, lit := range []string{`"` + raw + `"`, mustMarshal(t, raw)} {
			if !json.Valid([]byte(lit)) {
				continue
			}
			var want string
			if err := json.Unmarshal([]byte(lit), &want); err != nil {
				t.Fatalf("encoding/json: %v", err)
			}
			var got Text
			if err := got.UnmarshalJSON([]byte(lit)); err != nil || string(got) != want {
				t.Fatalf("Text of %q = %q, %v; encoding/json gives %q", lit, got, err, want)
			}
		}
	})
}

func mustMarshal(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
