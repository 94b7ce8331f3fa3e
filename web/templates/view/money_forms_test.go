package view

import (
	"testing"

	"ordercare/internal/omclient"
)

func TestMoneyFormInputs(t *testing.T) {
	t.Parallel()
	checks := []struct{ name, got, want string }{
		{"percent whole", PercentInput(2500), "25"},
		{"percent one decimal", PercentInput(1250), "12.5"},
		{"percent two decimals", PercentInput(775), "7.75"},
		{"percent zero", PercentInput(0), "0"},
		{"amount EUR", AmountInput(123450, "EUR", false), "1234.50"},
		{"amount JPY", AmountInput(4980, "JPY", false), "4980"},
		{"amount negative", AmountInput(-1000, "SEK", false), "-10.00"},
		{"zero blank", AmountInput(0, "EUR", true), ""},
		{"zero kept", AmountInput(0, "EUR", false), "0.00"},
		{"line field", LineField(12, FieldLineTaxRate), "order_lines[12].tax_rate"},
		{"line field id", FieldID(LineField(12, FieldLineTaxRate)), "f-order_lines-12-tax_rate"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	for _, o := range LineTypeOptions() {
		if o.Value == omclient.LineTypeReturnFee {
			t.Error("the line editor offers return_fee, which belongs to refunds")
		}
	}
	if len(LineTypeOptions()) != len(omclient.LineTypes)-1 {
		t.Errorf("line types offered: %d", len(LineTypeOptions()))
	}
	if opts := ShippingMethodOptions(omclient.ShippingMethods); opts[0].Value != "" || len(opts) != len(omclient.ShippingMethods)+1 {
		t.Errorf("shipping methods: %+v", opts)
	}
}

func TestNewEffect(t *testing.T) {
	t.Parallel()
	o := &omclient.Order{OrderAmount: 14997, CapturedAmount: 5000, RefundedAmount: 1000, RemainingAuthorizedAmount: 9997,
		PurchaseCurrency: "EUR", Locale: "de-DE"}
	e := NewEffect(o, OrderAmounts{Order: 9998, Captured: 5000, Refunded: 1000, Remaining: 4998}, true, "de-DE")
	if r := e.Row("order"); r.Before.Text != "149,97\u00a0€" || r.After.Text != "99,98\u00a0€" || !r.Changed {
		t.Errorf("order row %+v", r)
	}
	if r := e.Row("captured"); r.Changed {
		t.Error("captured marked changed")
	}
	if r := e.Row("remaining"); r.After.Minor != 4998 || !r.Changed {
		t.Errorf("remaining row %+v", r)
	}
	// Not ready: the After column repeats the current figures.
	e = NewEffect(o, OrderAmounts{Order: 1}, false, "de-DE")
	for _, r := range e.Rows {
		if r.Changed || r.Before != r.After {
			t.Errorf("not-ready effect changes %s", r.Key)
		}
	}
}

func TestPickRow(t *testing.T) {
	t.Parallel()
	l := omclient.OrderLine{Type: "physical", Name: "Chair", Quantity: 3, QuantityUnit: "pcs", UnitPrice: 49900, TaxRate: 2500}
	r := NewPickRow(2, l, 1, "SEK", "sv-SE")
	if r.Open != 2 || r.Done != 1 || r.Reference != "–" || r.Type != "Physical" || r.QuantityField() != "order_lines[2].quantity" || r.TotalID() != "pick-2-total" {
		t.Errorf("pick row %+v", r)
	}
	if over := NewPickRow(0, l, 5, "SEK", "sv-SE"); over.Open != 0 {
		t.Errorf("more done than ordered gives open %d", over.Open)
	}
}

// Row returns the row for key (zero when absent): the tests read an
// effect's rows by key, the page shows them in order.
func (e EffectView) Row(key string) EffectRow {
	for _, r := range e.Rows {
		if r.Key == key {
			return r
		}
	}
	return EffectRow{}
}
