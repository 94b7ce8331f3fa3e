package orders

import (
	"math"
	"testing"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

func line(ref, name string, qty, unit, disc, rate int64) omclient.OrderLine {
	return LineInput{Type: omclient.LineTypePhysical, Reference: ref, Name: name, Quantity: qty, UnitPrice: unit, Discount: disc, TaxRate: rate}.Line(nil)
}

func TestLineInputComputesTotalAndTax(t *testing.T) {
	t.Parallel()
	keep := omclient.OrderLine{MerchantData: "md", ProductURL: "https://shop.example/p", ImageURL: "https://shop.example/i.png",
		ProductIdentifiers: &omclient.ProductIdentifiers{Brand: "Acme"}, Subscription: &omclient.Subscription{Name: "Monthly", Interval: "MONTH", IntervalCount: 1}}
	tests := []struct {
		name           string
		in             LineInput
		keep           *omclient.OrderLine
		total, tax     int64
		keepsExtraData bool
	}{
		{"plain 25 %", LineInput{Type: "physical", Name: "Chair", Quantity: 3, UnitPrice: 4999, TaxRate: 2500}, nil, 14997, 2999, false},
		{"with discount", LineInput{Type: "physical", Name: "Chair", Quantity: 2, UnitPrice: 10000, Discount: 1500, TaxRate: 2500}, nil, 18500, 3700, false},
		{"12.5 % rounds half away from zero", LineInput{Type: "physical", Name: "Book", Quantity: 1, UnitPrice: 999, TaxRate: 1250}, nil, 999, 111, false},
		{"discount line is negative", LineInput{Type: "discount", Name: "Coupon", Quantity: 1, UnitPrice: -1000, TaxRate: 2500}, nil, -1000, -200, false},
		{"zero rate", LineInput{Type: "shipping_fee", Name: "Shipping", Quantity: 1, UnitPrice: 490}, nil, 490, 0, false},
		{"edit keeps product data", LineInput{Type: "physical", Name: "Chair", Quantity: 1, UnitPrice: 100, TaxRate: 0}, &keep, 100, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := tt.in.Line(tt.keep)
			if l.TotalAmount != tt.total || l.TotalTaxAmount != tt.tax {
				t.Fatalf("total, tax = %d, %d; want %d, %d", l.TotalAmount, l.TotalTaxAmount, tt.total, tt.tax)
			}
			if fe := omclient.ValidateOrderLines([]omclient.OrderLine{l}); len(fe) > 0 {
				t.Fatalf("computed line refused by the client's rules: %+v", fe)
			}
			if got := l.ProductURL != ""; got != tt.keepsExtraData {
				t.Fatalf("product data kept = %v, want %v", got, tt.keepsExtraData)
			}
			if tt.keepsExtraData && (l.ProductIdentifiers == nil || l.Subscription == nil || l.MerchantData != "md") {
				t.Fatalf("extra data lost: %+v", l)
			}
			if back := InputOf(l); back != tt.in {
				t.Fatalf("InputOf(Line) = %+v, want %+v", back, tt.in)
			}
		})
	}
}

func TestSumLines(t *testing.T) {
	t.Parallel()
	got := SumLines([]omclient.OrderLine{line("A", "a", 2, 1000, 100, 2500), line("B", "b", 1, 500, 0, 0)})
	want := LineTotals{Discount: 100, Tax: 380, Total: 2400}
	if got != want {
		t.Fatalf("SumLines = %+v, want %+v", got, want)
	}
}

// TestPartsAddUpToTheLine splits lines into parts, the way successive
// captures would, and checks each part's arithmetic holds exactly and the
// parts add up to the line's discount and quantity.
func TestPartsAddUpToTheLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		l     omclient.OrderLine
		parts []int64
		discs []int64 // expected discount of each part
	}{
		{"three of 10 with 1000 off", line("S", "Sock", 10, 500, 1000, 2500), []int64{3, 3, 4}, []int64{300, 300, 400}},
		{"1 off split in three", line("S", "Sock", 3, 500, 1, 2500), []int64{1, 1, 1}, []int64{0, 1, 0}},
		{"2 off split in three", line("S", "Sock", 3, 500, 2, 2500), []int64{1, 1, 1}, []int64{1, 0, 1}},
		{"no discount", line("S", "Sock", 4, 333, 0, 700), []int64{1, 3}, []int64{0, 0}},
		{"odd discount in halves", line("S", "Sock", 2, 1000, 999, 2500), []int64{1, 1}, []int64{500, 499}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := LineBalance{Line: tt.l}
			var qty, disc int64
			for i, n := range tt.parts {
				p := b.Part(n)
				if p.TotalDiscountAmount != tt.discs[i] {
					t.Errorf("part %d discount = %d, want %d", i, p.TotalDiscountAmount, tt.discs[i])
				}
				if p.TotalAmount != money.LineTotal(p.Quantity, p.UnitPrice, p.TotalDiscountAmount) {
					t.Errorf("part %d: total %d is not quantity × unit − discount", i, p.TotalAmount)
				}
				if fe := omclient.ValidateOrderLines([]omclient.OrderLine{p}); len(fe) > 0 {
					t.Errorf("part %d refused: %+v", i, fe)
				}
				qty += p.Quantity
				disc += p.TotalDiscountAmount
				b.Done += n
				b.DoneDiscount += p.TotalDiscountAmount
			}
			if qty != tt.l.Quantity || disc != tt.l.TotalDiscountAmount {
				t.Fatalf("parts add up to quantity %d, discount %d; the line has %d, %d", qty, disc, tt.l.Quantity, tt.l.TotalDiscountAmount)
			}
			if b.Open() != 0 {
				t.Fatalf("open after all parts = %d", b.Open())
			}
		})
	}
}

func TestWholeLineIsSentUnchanged(t *testing.T) {
	t.Parallel()
	// A checkout line may be off by up to ±quantity (the provider's
	// tolerance): capturing it whole must send it as it is, so the sum
	// still matches the order amount.
	l := omclient.OrderLine{Type: "physical", Name: "Pens", Quantity: 3, UnitPrice: 333, TotalAmount: 1000, TotalTaxAmount: 200, TaxRate: 2500}
	if p := (LineBalance{Line: l}).Part(3); p != l {
		t.Fatalf("whole line changed: %+v", p)
	}
}

func TestProrateDoesNotOverflow(t *testing.T) {
	t.Parallel()
	big := int64(math.MaxInt64 / 4)
	if got := prorate(money.MaxAmount, big-1, big); got != money.MaxAmount {
		t.Fatalf("prorate near the limits = %d, want %d", got, money.MaxAmount)
	}
	if got := prorate(money.MaxAmount, 1, big); got != 0 {
		t.Fatalf("prorate tiny share = %d, want 0", got)
	}
}

func TestCaptureBalances(t *testing.T) {
	t.Parallel()
	chair := line("C-1", "Chair", 4, 10000, 400, 2500)
	lamp := line("L-1", "Lamp", 2, 5000, 0, 2500)
	ship := line("", "Shipping", 1, 490, 0, 2500)
	o := &omclient.Order{
		OrderLines: []omclient.OrderLine{chair, lamp, ship},
		Captures: []omclient.Capture{
			{OrderLines: []omclient.OrderLine{(LineBalance{Line: chair}).Part(1), lamp}},
			{OrderLines: []omclient.OrderLine{(LineBalance{Line: chair, Done: 1, DoneDiscount: 100}).Part(2)}},
		},
	}
	bs := CaptureBalances(o)
	want := []struct{ open, doneDisc int64 }{{1, 300}, {0, 0}, {1, 0}}
	for i, w := range want {
		if bs[i].Open() != w.open || bs[i].DoneDiscount != w.doneDisc {
			t.Errorf("line %d (%s): open %d, done discount %d; want %d, %d", i, bs[i].Line.Name, bs[i].Open(), bs[i].DoneDiscount, w.open, w.doneDisc)
		}
	}
	open := OpenLines(bs)
	if len(open) != 2 || open[0].Quantity != 1 || open[0].TotalDiscountAmount != 100 || open[1].Name != "Shipping" {
		t.Fatalf("open lines = %+v", open)
	}
	// What is left adds up to the order total minus what was captured.
	var captured int64
	for _, c := range o.Captures {
		captured += SumLines(c.OrderLines).Total
	}
	if got, want := SumLines(open).Total, SumLines(o.OrderLines).Total-captured; got != want {
		t.Fatalf("open lines total %d, want %d", got, want)
	}
}

func TestCaptureBalancesSharedKeyFillsInOrder(t *testing.T) {
	t.Parallel()
	a := line("X", "Gift wrap", 2, 100, 0, 0)
	b := line("X", "Gift wrap", 3, 100, 0, 0)
	o := &omclient.Order{OrderLines: []omclient.OrderLine{a, b},
		Captures: []omclient.Capture{{OrderLines: []omclient.OrderLine{line("X", "Gift wrap", 3, 100, 0, 0)}}}}
	bs := CaptureBalances(o)
	if bs[0].Open() != 0 || bs[1].Open() != 2 {
		t.Fatalf("open = %d, %d; want 0, 2", bs[0].Open(), bs[1].Open())
	}
}

func TestRefundBalances(t *testing.T) {
	t.Parallel()
	chair := line("C-1", "Chair", 4, 10000, 400, 2500)
	fee := ReturnFeeLine(500, 0)
	o := &omclient.Order{
		Captures: []omclient.Capture{
			{OrderLines: []omclient.OrderLine{(LineBalance{Line: chair}).Part(1)}},
			{OrderLines: []omclient.OrderLine{(LineBalance{Line: chair, Done: 1, DoneDiscount: 100}).Part(3), line("", "Shipping", 1, 490, 0, 2500)}},
		},
		Refunds: []omclient.Refund{{OrderLines: []omclient.OrderLine{(LineBalance{Line: chair}).Part(1), fee}}},
	}
	bs := RefundBalances(o)
	if len(bs) != 2 {
		t.Fatalf("balances = %+v, want the chair and shipping", bs)
	}
	if bs[0].Line.Quantity != 4 || bs[0].Line.TotalDiscountAmount != 400 || bs[0].Open() != 3 || bs[0].DoneDiscount != 100 {
		t.Fatalf("chair balance = %+v (open %d)", bs[0], bs[0].Open())
	}
	if bs[1].Open() != 1 {
		t.Fatalf("shipping open = %d, want 1", bs[1].Open())
	}
}

func TestIncreaseAllowed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method, country string
		want            bool
	}{
		{"INVOICE", "SE", true}, {"invoice", "se", true}, {"INVOICE", "CH", false},
		{"INVOICE_BUSINESS", "DE", true}, {"B2B_INVOICE", "DE", true},
		{"ACCOUNT", "NO", true}, {"BASE_ACCOUNT", "FI", true},
		{"DIRECT_DEBIT", "DE", true}, {"DIRECT_DEBIT", "CH", false},
		{"FIXED_AMOUNT", "NL", true}, {"FIXED_AMOUNT", "GB", false},
		{"DEFERRED_INTEREST", "US", true}, {"DEFERRED_INTEREST", "SE", false},
		{"CARD", "SE", false}, {"PAY_LATER_IN_PARTS", "SE", false}, {"", "SE", false},
	}
	for _, tt := range tests {
		o := &omclient.Order{PurchaseCountry: omclient.Text(tt.country), InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: omclient.Text(tt.method)}}
		if got := IncreaseAllowed(o); got != tt.want {
			t.Errorf("IncreaseAllowed(%s in %s) = %v, want %v", tt.method, tt.country, got, tt.want)
		}
	}
	if IncreaseAllowed(&omclient.Order{PurchaseCountry: "SE"}) {
		t.Error("an order without a payment method counts as increasable")
	}
}

func TestReturnFee(t *testing.T) {
	t.Parallel()
	one := []omclient.Capture{{CapturedAmount: 1000}}
	tests := []struct {
		name string
		o    omclient.Order
		ok   bool
	}{
		{"fully captured once in DE", omclient.Order{PurchaseCountry: "DE", OrderAmount: 1000, CapturedAmount: 1000, Captures: one}, true},
		{"Greece is on the newer list", omclient.Order{PurchaseCountry: "gr", OrderAmount: 1000, CapturedAmount: 1000, Captures: one}, true},
		{"not in GB", omclient.Order{PurchaseCountry: "GB", OrderAmount: 1000, CapturedAmount: 1000, Captures: one}, false},
		{"two captures", omclient.Order{PurchaseCountry: "SE", OrderAmount: 1000, CapturedAmount: 1000, Captures: []omclient.Capture{{CapturedAmount: 500}, {CapturedAmount: 500}}}, false},
		{"part captured", omclient.Order{PurchaseCountry: "SE", OrderAmount: 2000, CapturedAmount: 1000, Captures: one}, false},
	}
	for _, tt := range tests {
		if got := ReturnFeeWhyNot(&tt.o) == ""; got != tt.ok {
			t.Errorf("%s: allowed = %v (%q), want %v", tt.name, got, ReturnFeeWhyNot(&tt.o), tt.ok)
		}
	}
	l := ReturnFeeLine(500, 2500)
	if l.Type != omclient.LineTypeReturnFee || l.UnitPrice != -500 || l.TotalAmount != -500 || l.TotalTaxAmount != -100 {
		t.Fatalf("return fee line = %+v", l)
	}
	if fe := omclient.ValidateOrderLines([]omclient.OrderLine{l}); len(fe) > 0 {
		t.Fatalf("return fee line refused: %+v", fe)
	}
}

// FuzzParts splits a line into two parts and checks the invariants the
// capture and refund forms rely on.
func FuzzParts(f *testing.F) {
	f.Add(int64(10), int64(500), int64(1000), int64(2500), int64(3))
	f.Add(int64(3), int64(333), int64(2), int64(1250), int64(1))
	f.Add(int64(7), int64(-1000), int64(0), int64(2500), int64(6))
	f.Add(int64(1000000), int64(1), int64(999999), int64(0), int64(500000))
	f.Fuzz(func(t *testing.T, qty, unit, disc, rate, first int64) {
		if qty < 2 || qty > 1_000_000 || unit < -money.MaxAmount || unit > money.MaxAmount || disc < 0 || disc > money.MaxAmount || rate < 0 || rate > 10000 {
			t.Skip()
		}
		if first < 1 || first >= qty {
			t.Skip()
		}
		l := LineInput{Type: "physical", Name: "x", Quantity: qty, UnitPrice: unit, Discount: disc, TaxRate: rate}.Line(nil)
		if len(omclient.ValidateOrderLines([]omclient.OrderLine{l})) > 0 {
			t.Skip()
		}
		b := LineBalance{Line: l}
		p1 := b.Part(first)
		b.Done, b.DoneDiscount = first, p1.TotalDiscountAmount
		p2 := b.Part(qty - first)
		if p1.TotalDiscountAmount < 0 || p2.TotalDiscountAmount < 0 {
			t.Fatalf("negative discount: %d, %d", p1.TotalDiscountAmount, p2.TotalDiscountAmount)
		}
		if p1.TotalDiscountAmount+p2.TotalDiscountAmount != disc {
			t.Fatalf("discounts %d + %d != %d", p1.TotalDiscountAmount, p2.TotalDiscountAmount, disc)
		}
		if p1.TotalAmount+p2.TotalAmount != l.TotalAmount {
			t.Fatalf("totals %d + %d != %d", p1.TotalAmount, p2.TotalAmount, l.TotalAmount)
		}
		for _, p := range []omclient.OrderLine{p1, p2} {
			if p.TotalAmount != money.LineTotal(p.Quantity, p.UnitPrice, p.TotalDiscountAmount) || !money.TaxTolerance(p.TotalTaxAmount, p.TotalAmount, p.TaxRate) {
				t.Fatalf("part arithmetic broken: %+v", p)
			}
		}
	})
}
