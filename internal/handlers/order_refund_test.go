package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
)

// deLines are a German order's lines: shoes 89,90 € and 3 pairs of socks
// at 4,99 € with 1,00 € off, 19 % (total 103,87 €).
func deLines() []omclient.OrderLine {
	return []omclient.OrderLine{physical("SH-1", "Shoes", 1, 8990, 0, 1900), physical("SO-3", "Socks", 3, 499, 100, 1900)}
}

// capturedOrder creates an order and captures all of it, lines included,
// in one capture (as the shop's warehouse would).
func (m *moneyApp) capturedOrder(s orderSpec) (string, *omclient.Order) {
	m.t.Helper()
	id := m.createOrder(s)
	o := m.sandboxOrder(id)
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: o.OrderAmount, OrderLines: o.OrderLines})
	return id, m.sandboxOrder(id)
}

// TestRefundEverythingWithReturnFee: a German order captured in one
// capture; the refund keeps a return fee as a negative return_fee line,
// and the refunded amount is the line sum.
func TestRefundEverythingWithReturnFee(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	r := ag.get(path, nil)
	if r.testid("return-fee").Length() != 1 || fieldValue(r, "return_fee_tax_rate") != "19" {
		t.Fatalf("return fee not offered with the goods' tax rate: %q", fieldValue(r, "return_fee_tax_rate"))
	}
	r = ag.postForm(path, ag.fill(path, map[string]string{"mode": "full", "return_fee": "5,95", "description": "Returned, fee deducted", "reason": "goods_returned"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o := m.sandboxOrder(id)
	if len(o.Refunds) != 1 || o.RefundedAmount != 10387-595 {
		t.Fatalf("refunded %d, want 9792", o.RefundedAmount)
	}
	ref := o.Refunds[0]
	fee := ref.OrderLines[len(ref.OrderLines)-1]
	if len(ref.OrderLines) != 3 || fee.Type != omclient.LineTypeReturnFee || fee.TotalAmount != -595 || fee.UnitPrice != -595 || fee.TotalTaxAmount != -95 {
		t.Fatalf("refund lines %+v", ref.OrderLines)
	}
	if orders.SumLines(ref.OrderLines).Total != ref.RefundedAmount {
		t.Fatal("the refund's lines do not add up to its amount")
	}
	at := m.lastAttempt(id)
	if at.Requested.Reason != "Goods returned" || at.Requested.Before["refunded_amount"] != "0.00 EUR" || at.Completed.After["refunded_amount"] != "97.92 EUR" {
		t.Fatalf("audit %v -> %v", at.Requested.Before, at.Completed.After)
	}
	if at.Completed.Outcome != audit.OutcomeSucceeded || at.Completed.ResourceID != ref.RefundID {
		t.Fatalf("completed %+v", at.Completed)
	}
	flash := ag.get(r.resp.Header.Get("Location"), nil).testid("flash").Text()
	if want := "Refunded 97,92\u00a0€ (refund " + ref.RefundID + ", 3 lines, 103,87\u00a0€ less a return fee of 5,95\u00a0€)"; flash != want {
		t.Fatalf("confirmation %q, want %q", flash, want)
	}
}

// TestRefundChosenLines: at most what is captured and not yet refunded per
// line; the discount is shared out.
func TestRefundChosenLines(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "lines", lineName(0, "quantity"): "1"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o := m.sandboxOrder(id)
	if o.RefundedAmount != 48900 || o.Refunds[0].OrderLines[0].TotalDiscountAmount != 1000 {
		t.Fatalf("refund %+v", o.Refunds[0])
	}
	before := m.applied(id)
	r = ag.postForm(path, ag.fill(path, map[string]string{"mode": "lines", lineName(0, "quantity"): "3"}))
	if got := fieldError(t, r, lineName(0, "quantity")); !strings.Contains(got, "At most 2") {
		t.Fatalf("over-refund of a line: %q", got)
	}
	if m.applied(id) != before {
		t.Fatal("sent")
	}
	v := formOf(r)
	v.Set(lineName(0, "quantity"), "2")
	v.Set(lineName(1, "quantity"), "2")
	v.Set(lineName(2, "quantity"), "1")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o = m.sandboxOrder(id)
	if o.RefundedAmount != o.CapturedAmount || o.Status != omclient.StatusClosed {
		t.Fatalf("refunded %d of %d, status %s", o.RefundedAmount, o.CapturedAmount, o.Status)
	}
	if got := o.Refunds[1].OrderLines[0].TotalDiscountAmount; got != 2000 {
		t.Fatalf("second part's discount %d, want the rest 2000", got)
	}
}

// TestRefundRefusesBeforeSending: each rule gives a message at its field
// and nothing reaches the provider.
func TestRefundRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{})
	m.shopRefund(id, omclient.RefundRequest{RefundedAmount: 1500})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	amount := func(s string) map[string]string { return map[string]string{"mode": "amount", "refunded_amount": s} }
	tests := []struct {
		name, field, want string
		set               map[string]string
	}{
		{"empty amount", "refunded_amount", "Enter an amount", amount("")},
		{"three decimals", "refunded_amount", "SEK has 2 decimals", amount("12.505")},
		{"two separators", "refunded_amount", "Type an amount such as", amount("1,2,3")},
		{"negative", "refunded_amount", "cannot be negative", amount("-5")},
		{"zero", "refunded_amount", "must be more than 0,00", amount("0")},
		{"more than refundable", "refunded_amount", "More than what can be refunded (captured minus refunded), 2\u00a0000,00\u00a0SEK", amount("2000.01")},
		{"description too long", "description", "At most 255", map[string]string{"description": strings.Repeat("ü", 256)}},
		{"fee with a typed amount", "return_fee", "needs the refunded lines", map[string]string{"mode": "amount", "refunded_amount": "100", "return_fee": "5"}},
		{"fee as large as the goods", "return_fee", "less than the goods refunded, 489,00", map[string]string{"mode": "lines", lineName(0, "quantity"): "1", "return_fee": "489"}},
		{"fee malformed", "return_fee", "Type an amount such as", map[string]string{"mode": "lines", lineName(0, "quantity"): "1", "return_fee": "1,2,3"}},
		{"fee negative", "return_fee", "cannot be negative", map[string]string{"mode": "lines", lineName(0, "quantity"): "1", "return_fee": "-5"}},
		{"fee tax rate above 100 %", "return_fee_tax_rate", "between 0 and 100", map[string]string{"mode": "lines", lineName(0, "quantity"): "1", "return_fee": "5", "return_fee_tax_rate": "250"}},
		{"line quantity not a number", lineName(1, "quantity"), "whole number", map[string]string{"mode": "lines", lineName(1, "quantity"): "two"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := m.applied(id)
			r := ag.postForm(path, ag.fill(path, tt.set))
			if r.resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.resp.StatusCode)
			}
			if got := fieldError(t, r, tt.field); !strings.Contains(got, tt.want) {
				t.Fatalf("message at %s = %q, want %q", tt.field, got, tt.want)
			}
			if m.applied(id) != before {
				t.Fatal("the provider was called")
			}
		})
	}
	if n := len(m.attempts(id)); n != 0 {
		t.Fatalf("%d attempts audited", n)
	}
}

// TestRefundReturnFeeOnlyWhereAllowed: two captures, or a market outside
// the list, and the fee is neither offered nor accepted.
func TestRefundReturnFeeOnlyWhereAllowed(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	twice := m.createOrder(orderSpec{})
	m.shopCapture(twice, omclient.CaptureRequest{CapturedAmount: 100000})
	m.shopCapture(twice, omclient.CaptureRequest{CapturedAmount: 101500})
	gb, _ := m.capturedOrder(orderSpec{country: "GB", currency: "GBP", locale: "en-GB"})
	ag := m.signedIn(staff.RoleAgent)
	for _, tc := range []struct{ id, why string }{
		{twice, "captured in exactly one capture"},
		{gb, "not offered in GB"},
	} {
		path := formPath(tc.id, "refund")
		r := ag.get(path, nil)
		if r.testid("return-fee").Length() != 0 || !strings.Contains(r.testid("no-return-fee").Text(), tc.why) {
			t.Fatalf("%s: fee offered or wrong reason %q", tc.why, r.testid("no-return-fee").Text())
		}
		before := m.applied(tc.id)
		r = ag.postForm(path, ag.fill(path, map[string]string{"return_fee": "1"}))
		if r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.testid("error-summary").Text(), "No return fee on this order") {
			t.Fatalf("%s: forged fee: status %d, %s", tc.why, r.resp.StatusCode, r.testid("error-summary").Text())
		}
		if m.applied(tc.id) != before {
			t.Fatal("sent")
		}
	}
}

// TestRefundRefusedByTheProvider: just as the refund reaches the
// provider, the shop refunds everything itself; the provider refuses the
// over-refund (REFUND_NOT_ALLOWED), shown with the correlation id and
// audited as refused.
func TestRefundRefusedByTheProvider(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, o := m.capturedOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	v := ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": "100"})
	m.onceBefore(http.MethodPost, "/refunds", func() {
		m.shopRefund(id, omclient.RefundRequest{RefundedAmount: o.CapturedAmount, Description: "shop refund"})
	})
	r := ag.postForm(path, v)
	if r.testid("outcome").AttrOr("data-outcome", "") != "refused" || r.testid("outcome-code").Text() != string(omclient.CodeRefundNotAllowed) {
		t.Fatalf("status %d, outcome %s", r.resp.StatusCode, r.testid("outcome").Text())
	}
	corr := r.testid("outcome-correlation-id").Text()
	at := m.lastAttempt(id)
	if at.Completed.Outcome != audit.OutcomeRefused || at.Completed.CorrelationID != corr || corr == "" {
		t.Fatalf("audit %+v", at.Completed)
	}
	if !strings.Contains(r.testid("provider-messages").Text(), "Over refund") {
		t.Fatalf("provider message %q", r.testid("provider-messages").Text())
	}
	if fieldValue(r, "refunded_amount") != "100" {
		t.Fatal("typed amount lost")
	}
}

// TestRefundPreviewAndStale: the live effect with a fee, and a form
// rendered before another refund is stale.
func TestRefundPreviewAndStale(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	v := ag.fill(path, map[string]string{"mode": "lines", lineName(1, "quantity"): "2", "return_fee": "1.50"})
	before := m.applied(id)
	r := ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	// Two pairs of socks: 2 × 4,99 − 0,67 = 9,31 €; less 1,50 € fee = 7,81 €.
	if b, a := effect(r, "refunded"); b != "0" || a != "781" {
		t.Fatalf("refunded %s -> %s, want 0 -> 781", b, a)
	}
	if got := r.testid("effect-summary").Text(); !strings.Contains(got, "9,31\u00a0€ of goods less a return fee of 1,50\u00a0€") {
		t.Fatalf("summary %q", got)
	}
	if got := minorOf(r, `[data-testid="preview-lines-total"]`); got != "781" {
		t.Fatalf("lines total %s: the fee line is not among the lines", got)
	}
	if got := r.doc.Find("#pick-1-total").Text(); got != "9,31\u00a0€" {
		t.Fatalf("row total %q", got)
	}
	if m.applied(id) != before {
		t.Fatal("the preview sent something")
	}
	m.shopRefund(id, omclient.RefundRequest{RefundedAmount: 100})
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusConflict || r.testid("outcome").AttrOr("data-outcome", "") != "stale" {
		t.Fatalf("stale: status %d, %s", r.resp.StatusCode, r.testid("outcome").Text())
	}
	if len(m.attempts(id)) != 0 {
		t.Fatal("a stale form was sent")
	}
}

// TestRefundJPY: a typed amount in yen.
func TestRefundJPY(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{country: "JP", currency: "JPY", locale: "ja-JP",
		lines: []omclient.OrderLine{physical("T-1", "Teapot", 1, 4980, 0, 1000)}})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": "500.5"}))
	if got := fieldError(t, r, "refunded_amount"); got != "JPY has no decimals" {
		t.Fatalf("message %q", got)
	}
	r = ag.postForm(path, ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": "¥500"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if o := m.sandboxOrder(id); o.RefundedAmount != 500 {
		t.Fatalf("refunded %d", o.RefundedAmount)
	}
}

// TestMoneyFormsRoles: the auditor may not even look at a money form or
// its preview; an agent may.
func TestMoneyFormsRoles(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 1000})
	aud := m.signedIn(staff.RoleAuditor)
	ag := m.signedIn(staff.RoleAgent)
	for _, slug := range []string{"amount", "capture", "refund"} {
		if r := aud.get(formPath(id, slug), nil); r.resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d", slug, r.resp.StatusCode)
		}
		v := ag.formValues(formPath(id, slug)) // carries a valid CSRF token of the agent's session
		tok := aud.get("/", nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
		v.Set("_csrf", tok)
		if r := aud.post(formPath(id, slug)+"/preview", v, nil); r.resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor POST %s/preview: %d", slug, r.resp.StatusCode)
		}
		if r := aud.post(formPath(id, slug), v, nil); r.resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor POST %s: %d", slug, r.resp.StatusCode)
		}
	}
}
