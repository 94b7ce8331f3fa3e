package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// lineName is the form field of a line editor row.
func lineName(i int, field string) string { return fmt.Sprintf("order_lines[%d].%s", i, field) }

// TestAmountFormEditsLinesWithoutJavaScript goes through the line editor
// as a browser without JavaScript: remove a row and add one with the
// editing buttons (each re-renders the form, nothing is sent), edit a
// quantity, then submit; the sandbox has the new lines and amount and the
// audit log both events with before and after.
func TestAmountFormEditsLinesWithoutJavaScript(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	appliedBefore := m.applied(id)

	v := ag.formValues(path)
	if got := v.Get(lineName(0, "unit_price")); got != "499.00" {
		t.Fatalf("chair unit price prefilled as %q, want 499.00", got)
	}
	if got := v.Get(lineName(0, "total_discount_amount")); got != "30.00" {
		t.Fatalf("chair discount prefilled as %q", got)
	}
	// Remove the lamp (row 1).
	v.Set("remove_line", "1")
	r := ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusOK {
		t.Fatalf("remove line: status %d", r.resp.StatusCode)
	}
	if n := r.testid("edit-line").Length(); n != 2 {
		t.Fatalf("after removing a line the editor has %d rows, want 2", n)
	}
	if got := fieldValue(r, lineName(1, "name")); got != "Shipping" {
		t.Fatalf("row 2 after removal is %q, want Shipping", got)
	}
	if r.testid("field-error").Length() != 0 {
		t.Fatalf("an editing button shows field errors: %s", r.testid("field-error").Text())
	}
	// Add a line, fill it in: 2 cushions at 79.90 with 25 %.
	v = formOf(r)
	v.Set("add_line", "1")
	r = ag.postForm(path, v)
	if n := r.testid("edit-line").Length(); n != 3 {
		t.Fatalf("after adding a line the editor has %d rows, want 3", n)
	}
	if got := fieldValue(r, lineName(2, "tax_rate")); got != "25" {
		t.Errorf("the new row's tax rate is %q, want the rows' 25", got)
	}
	v = formOf(r)
	v.Set(lineName(2, "name"), "Cushion")
	v.Set(lineName(2, "reference"), "CU-9")
	v.Set(lineName(2, "quantity"), "2")
	v.Set(lineName(2, "unit_price"), "79.90")
	v.Set(lineName(0, "quantity"), "2") // two chairs instead of three
	v.Set("recalc", "1")
	r = ag.postForm(path, v)
	if got := r.doc.Find("#line-2-total").Text(); got != "159,80\u00a0SEK" {
		t.Errorf("the new row's total shows %q", got)
	}
	// Chairs: 2 × 499 − 20 (the discount stays 30: the agent did not change it).
	if got := minorOf(r, `[data-testid="preview-lines-total"]`); got != "117680" {
		// 2×49900−3000 + 4900 + 2×7990 = 96800 + 4900 + 15980
		t.Errorf("lines total %s, want 117680", got)
	}
	if m.applied(id) != appliedBefore {
		t.Fatal("an editing button sent something to the provider")
	}

	v = formOf(r)
	v.Set("reason", "out_of_stock")
	v.Set("ticket", "ZD-1")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o := m.sandboxOrder(id)
	if o.OrderAmount != 117680 || len(o.OrderLines) != 3 || o.OrderLines[2].Name != "Cushion" || o.OrderLines[0].Quantity != 2 {
		t.Fatalf("sandbox order after the change: amount %d, lines %+v", o.OrderAmount, o.OrderLines)
	}
	if fe := omclient.ValidateOrderLines(o.OrderLines); len(fe) > 0 {
		t.Fatalf("sent lines break the provider's arithmetic: %+v", fe)
	}
	at := m.lastAttempt(id)
	if at.Requested.Action != string(omclient.OpUpdateAuthorization) || at.Requested.Reason != "Item out of stock" || at.Requested.Ticket != "ZD-1" {
		t.Fatalf("requested event: %+v", at.Requested)
	}
	if at.Requested.Before["order_amount"] != "2015.00 SEK" || at.Completed.After["order_amount"] != "1176.80 SEK" {
		t.Fatalf("before/after: %v -> %v", at.Requested.Before, at.Completed.After)
	}
	if at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("outcome %s", at.Completed.Outcome)
	}
	page := ag.get(r.resp.Header.Get("Location"), nil)
	if got := page.testid("flash").Text(); !strings.Contains(got, "Order amount 2\u00a0015,00\u00a0SEK → 1\u00a0176,80\u00a0SEK") {
		t.Fatalf("confirmation %q", got)
	}
}

// TestAmountFormRefusesBeforeSending checks every rule of the amount form:
// each gives a message at its field and nothing reaches the provider.
func TestAmountFormRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	amountOnly := map[string]string{"mode": "amount", "drop_lines": "1"}
	with := func(base map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name, field, want string
		set               map[string]string
	}{
		{"empty amount", "order_amount", "Enter an amount", with(amountOnly, "order_amount", " ")},
		{"three decimals in SEK", "order_amount", "SEK has 2 decimals", with(amountOnly, "order_amount", "12.505")},
		{"two separators", "order_amount", "Type an amount such as", with(amountOnly, "order_amount", "1,2,3")},
		{"negative amount", "order_amount", "cannot be negative", with(amountOnly, "order_amount", "-5")},
		{"amount above 200 000 000 minor units", "order_amount", "too large", with(amountOnly, "order_amount", "2000000.01")},
		{"lines do not add up to the typed amount", "order_amount", "The lines add up to 2\u00a0015,00\u00a0SEK, not 2\u00a0000,00\u00a0SEK", map[string]string{"order_amount": "2000"}},
		{"quantity below 1", lineName(1, "quantity"), "at least 1", map[string]string{lineName(1, "quantity"): "0"}},
		{"quantity not a number", lineName(1, "quantity"), "whole number", map[string]string{lineName(1, "quantity"): "1.5"}},
		{"tax rate above 100 %", lineName(0, "tax_rate"), "between 0 and 100 %", map[string]string{lineName(0, "tax_rate"): "100.01"}},
		{"negative tax rate", lineName(0, "tax_rate"), "cannot be negative", map[string]string{lineName(0, "tax_rate"): "-1"}},
		{"tax rate with three decimals", lineName(0, "tax_rate"), "two decimals", map[string]string{lineName(0, "tax_rate"): "12.345"}},
		{"description over 255 characters", "description", "At most 255 characters", map[string]string{"description": strings.Repeat("é", 256)}},
		{"unit price with three decimals", lineName(2, "unit_price"), "SEK has 2 decimals", map[string]string{lineName(2, "unit_price"): "49.005"}},
		{"negative price on a physical line", lineName(1, "unit_price"), "negative price", map[string]string{lineName(1, "unit_price"): "-10"}},
		{"line without a name", lineName(1, "name"), "Enter a value", map[string]string{lineName(1, "name"): ""}},
		{"unknown line type", lineName(1, "type"), "Choose a line type", map[string]string{lineName(1, "type"): "return_fee"}},
		{"amount only without confirming the lines go", "drop_lines", "Tick to confirm", map[string]string{"mode": "amount", "order_amount": "1000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := m.applied(id)
			v := ag.fill(path, tt.set)
			if x, ok := tt.set[lineName(1, "name")]; ok && x == "" {
				v.Set(lineName(1, "name"), "")
			}
			r := ag.postForm(path, v)
			if r.resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.resp.StatusCode)
			}
			if got := fieldError(t, r, tt.field); !strings.Contains(got, tt.want) {
				t.Fatalf("message at %s = %q, want it to contain %q", tt.field, got, tt.want)
			}
			if m.applied(id) != before {
				t.Fatal("the provider was called")
			}
			// What the agent typed is still there.
			for k, want := range tt.set {
				if k == "drop_lines" || k == "mode" || strings.HasSuffix(k, ".type") {
					continue // boxes, radios, and a select cannot show a value not in its list
				}
				if got := fieldValue(r, k); got != strings.TrimSpace(want) {
					t.Errorf("field %s shows %q after the error, typed %q", k, got, want)
				}
			}
		})
	}
	if n := len(m.attempts(id)); n != 0 {
		t.Fatalf("%d attempts audited for refused forms, want none", n)
	}
}

// TestAmountFormRefusesMoreThan1000Lines posts 1001 rows: refused with a
// message at the lines, nothing sent.
func TestAmountFormRefusesMoreThan1000Lines(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	v := ag.fill(path, nil)
	for i := 0; i <= 1000; i++ {
		v.Set(lineName(i, "type"), "physical")
		v.Set(lineName(i, "name"), fmt.Sprintf("Item %d", i))
		v.Set(lineName(i, "quantity"), "1")
		v.Set(lineName(i, "unit_price"), "1.00")
		v.Set(lineName(i, "tax_rate"), "25")
	}
	before := m.applied(id)
	r := ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.resp.StatusCode)
	}
	if got := r.doc.Find(`#f-order_lines [data-testid="field-error"]`).Text(); !strings.Contains(got, "At most 1000 lines") {
		t.Fatalf("lines message %q", got)
	}
	if !strings.Contains(r.testid("error-summary").Text(), "At most 1000 lines") {
		t.Fatal("the summary does not name the line limit")
	}
	if m.applied(id) != before {
		t.Fatal("the provider was called")
	}
	// "Add line" at 1000 rows is refused too, without sending.
	v.Del(lineName(1000, "name"))
	for _, f := range []string{"type", "quantity", "unit_price", "tax_rate"} {
		v.Del(lineName(1000, f))
	}
	v.Set("add_line", "1")
	r = ag.postForm(path, v)
	if n := r.testid("edit-line").Length(); n != 1000 {
		t.Fatalf("add line at the limit: %d rows", n)
	}
	if r.testid("add-line").Length() != 0 {
		t.Error("the Add line button is offered at the limit")
	}
}

// TestAmountBelowCaptured: the new amount cannot go below what has been
// captured; refused at the field, nothing sent.
func TestAmountBelowCaptured(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 50000})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	before := m.applied(id)
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "amount", "order_amount": "499.99", "drop_lines": "1"}))
	if got := fieldError(t, r, "order_amount"); !strings.Contains(got, "cannot be less than the captured amount 500,00") {
		t.Fatalf("message %q", got)
	}
	if m.applied(id) != before {
		t.Fatal("the provider was called")
	}
	// Exactly the captured amount is fine.
	r = ag.postForm(path, ag.fill(path, map[string]string{"mode": "amount", "order_amount": "500", "drop_lines": "1"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("amount = captured: status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if o := m.sandboxOrder(id); o.OrderAmount != 50000 || o.Status != omclient.StatusCaptured || len(o.OrderLines) != 0 {
		t.Fatalf("order after lowering to the captured amount: %d %s, %d lines", o.OrderAmount, o.Status, len(o.OrderLines))
	}
}

// TestAmountIncreaseOnCardWarnsThenProviderRefuses: a card payment cannot
// be increased (Klarna's order management guides on docs.klarna.com). The form warns and sends nothing until
// "send anyway" is ticked; the provider then refuses, and the refusal is
// shown with its code and correlation id and audited as refused.
func TestAmountIncreaseOnCardWarnsThenProviderRefuses(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{method: "CARD"})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	// The method in words, as on the order page, not the provider's code.
	if note := ag.get(path, nil).testid("increase-note").Text(); !strings.Contains(note, "payment method (Card)") || strings.Contains(note, "CARD") {
		t.Errorf("the form does not say up front, in words, that the card payment cannot be increased: %q", note)
	}
	before := m.applied(id)
	v := ag.fill(path, map[string]string{lineName(0, "quantity"): "4"})
	key := v.Get("idempotency_key")
	r := ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("increase without confirming: status %d", r.resp.StatusCode)
	}
	if got := fieldError(t, r, "send_anyway"); !strings.Contains(got, "Send anyway") {
		t.Fatalf("message at the confirmation: %q", got)
	}
	if w := r.testid("confirm-send_anyway").Text(); !strings.Contains(w, "cannot be increased") || strings.Contains(w, "CARD") {
		t.Fatalf("warning %q", w)
	}
	if m.applied(id) != before || len(m.attempts(id)) != 0 {
		t.Fatal("an unconfirmed increase was sent")
	}
	if got := fieldValue(r, "idempotency_key"); got != key {
		t.Fatal("the key changed although nothing was sent")
	}

	v = formOf(r)
	v.Set("send_anyway", "1")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("confirmed increase: status %d, want the provider's refusal", r.resp.StatusCode)
	}
	if got := r.testid("outcome").AttrOr("data-outcome", ""); got != "refused" {
		t.Fatalf("outcome %q: %s", got, r.testid("outcome").Text())
	}
	if got := r.testid("outcome-code").Text(); got != string(omclient.CodeNotAllowed) {
		t.Fatalf("code shown %q", got)
	}
	corr := r.testid("outcome-correlation-id").Text()
	if corr == "" || !strings.Contains(r.testid("provider-messages").Text(), "does not support increasing") {
		t.Fatalf("refusal lacks the correlation id or the provider's message: %s", r.testid("outcome").Text())
	}
	at := m.lastAttempt(id)
	if at.Completed.Outcome != audit.OutcomeRefused || at.Completed.ErrorCode != string(omclient.CodeNotAllowed) || at.Completed.CorrelationID != corr {
		t.Fatalf("audit: %+v", at.Completed)
	}
	if m.sandboxOrder(id).OrderAmount != 201500 {
		t.Fatal("the refused increase changed the order")
	}
	if fieldValue(r, "idempotency_key") == key {
		t.Fatal("a refused change keeps its key; the form needs a new one")
	}
	if fieldValue(r, lineName(0, "quantity")) != "4" {
		t.Fatal("the typed quantity was lost")
	}
}

// TestAmountIncreaseOnInvoiceNeedsNoConfirmation: invoices can be
// increased; no warning, the change goes through.
func TestAmountIncreaseOnInvoiceNeedsNoConfirmation(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{method: "INVOICE"})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	r := ag.get(path, nil)
	if r.testid("increase-note").Length() != 0 {
		t.Fatal("an invoice order is warned about increases")
	}
	r = ag.postForm(path, ag.fill(path, map[string]string{lineName(0, "quantity"): "4"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if o := m.sandboxOrder(id); o.OrderAmount != 251400 {
		// The discount of 30 kr stays on the line: 4 × 499 − 30 + 499 + 49.
		t.Fatalf("amount %d, want 251400", o.OrderAmount)
	}
}

// TestAmountPreviewFragment posts typed values to the preview URL as htmx
// does: the fragment has the new totals and the effect, each row's
// computed cells out of band, and nothing is sent.
func TestAmountPreviewFragment(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 10000})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	before := m.applied(id)
	v := ag.formValues(path)
	v.Set(lineName(1, "quantity"), "1")       // one lamp fewer: −249.50
	v.Set(lineName(2, "unit_price"), "59,00") // shipping 49 -> 59, comma typed
	r := ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	if r.resp.StatusCode != http.StatusOK {
		t.Fatalf("preview: status %d", r.resp.StatusCode)
	}
	if r.testid("money-preview").AttrOr("data-ready", "") != "true" {
		t.Fatalf("preview not ready: %s", r.testid("money-preview").Text())
	}
	b, a := effect(r, "order")
	if b != "201500" || a != "177550" {
		t.Fatalf("order amount %s -> %s, want 201500 -> 177550", b, a)
	}
	if b, a := effect(r, "remaining"); b != "191500" || a != "167550" {
		t.Fatalf("remaining %s -> %s", b, a)
	}
	if b, a := effect(r, "captured"); b != a || r.testid("effect-captured").AttrOr("data-changed", "") != "false" {
		t.Fatal("captured changes in an amount change")
	}
	if got := minorOf(r, `[data-testid="preview-lines-tax"]`); got != "35510" {
		t.Errorf("lines' tax %s, want 35510", got)
	}
	if got := r.doc.Find("#line-1-total").AttrOr("hx-swap-oob", ""); got != "true" {
		t.Fatal("row totals are not swapped out of band")
	}
	if got := r.doc.Find("#line-2-total").Text(); got != "59,00\u00a0SEK" {
		t.Fatalf("shipping row total %q", got)
	}
	if !strings.Contains(r.testid("effect-summary").Text(), "2\u00a0015,00\u00a0SEK → 1\u00a0775,50\u00a0SEK") {
		t.Fatalf("summary %q", r.testid("effect-summary").Text())
	}
	if r.doc.Find("form").Length() != 0 || r.doc.Find("html").Children().Filter("head").Children().Length() != 0 {
		t.Fatal("the preview answered more than its fragment")
	}

	// Incomplete values: the fragment says what is missing, no effect.
	v.Set(lineName(1, "quantity"), "x")
	r = ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	if r.testid("money-preview").AttrOr("data-ready", "") != "false" || !strings.Contains(r.testid("effect-problems").Text(), "Line 2 quantity") {
		t.Fatalf("incomplete preview: %s", r.testid("money-preview").Text())
	}
	if m.applied(id) != before || len(m.attempts(id)) != 0 {
		t.Fatal("the preview sent something")
	}
}

// TestAmountOnlyRemovesLines: the amount typed alone, confirmed; the
// provider deletes the lines (which the form warned about).
func TestAmountOnlyRemovesLines(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	v := ag.fill(path, map[string]string{"mode": "amount", "order_amount": "1 500,00"})
	r := ag.postForm(path, v)
	if !strings.Contains(r.testid("confirm-drop_lines").Text(), "deletes the order's 3 lines") {
		t.Fatalf("warning: %q", r.testid("confirm-drop_lines").Text())
	}
	v = formOf(r)
	v.Set("drop_lines", "1")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if o := m.sandboxOrder(id); o.OrderAmount != 150000 || len(o.OrderLines) != 0 || o.RemainingAuthorizedAmount != 150000 {
		t.Fatalf("order: amount %d, %d lines", o.OrderAmount, len(o.OrderLines))
	}
	if got := ag.get(r.resp.Header.Get("Location"), nil).testid("flash").Text(); !strings.Contains(got, "(3 lines → 0 lines)") {
		t.Fatalf("confirmation %q", got)
	}
}

// TestAmountFormJPY: a currency without decimals. Prices are prefilled and
// typed in whole yen; a decimal is refused at the field.
func TestAmountFormJPY(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{country: "JP", currency: "JPY", locale: "ja-JP", method: "INVOICE",
		lines: []omclient.OrderLine{physical("T-1", "Teapot", 2, 4980, 0, 1000), physical("C-1", "Cup", 4, 1200, 300, 1000)}})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	v := ag.fill(path, nil)
	if v.Get(lineName(0, "unit_price")) != "4980" || v.Get(lineName(1, "total_discount_amount")) != "300" {
		t.Fatalf("JPY prefilled as %q and %q", v.Get(lineName(0, "unit_price")), v.Get(lineName(1, "total_discount_amount")))
	}
	v.Set(lineName(1, "unit_price"), "1200.5")
	r := ag.postForm(path, v)
	if got := fieldError(t, r, lineName(1, "unit_price")); got != "JPY has no decimals" {
		t.Fatalf("message %q", got)
	}
	v = formOf(r)
	v.Set(lineName(1, "unit_price"), "1100")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	// 2 × 4980 + 4 × 1100 − 300 = 14060 yen.
	o := m.sandboxOrder(id)
	if o.OrderAmount != 14060 || o.OrderLines[1].TotalTaxAmount != 373 {
		t.Fatalf("order amount %d, cup tax %d", o.OrderAmount, o.OrderLines[1].TotalTaxAmount)
	}
	if got := ag.get(r.resp.Header.Get("Location"), nil).testid("flash").Text(); !strings.Contains(got, "Order amount ¥14,460 → ¥14,060") {
		t.Fatalf("confirmation %q", got)
	}
}

// TestAmountFormStaleAndForged: a form rendered before another system
// captured is refused as stale with the fresh state; a damaged "expected"
// field is a form error. Neither sends anything.
func TestAmountFormStaleAndForged(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	v := ag.fill(path, map[string]string{lineName(0, "quantity"): "2"})
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 1000})
	before := m.applied(id)
	r := ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusConflict || r.testid("outcome").AttrOr("data-outcome", "") != "stale" {
		t.Fatalf("stale form: status %d, %s", r.resp.StatusCode, r.testid("outcome").Text())
	}
	if got := fieldValue(r, "expected"); got != "v1.PART_CAPTURED.201500.1000.0.1.0" {
		t.Fatalf("fresh fingerprint %q", got)
	}
	if b, _ := effect(r, "captured"); b != "1000" {
		t.Fatalf("the stale form's effect still shows captured %s", b)
	}
	if fieldValue(r, lineName(0, "quantity")) != "2" {
		t.Fatal("typed value lost on a stale form")
	}
	v = formOf(r)
	v.Set("expected", "v1.PART_CAPTURED.201500.1000.0.1")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.testid("error-summary").Text(), "damaged") {
		t.Fatalf("forged expected: status %d, %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if m.applied(id) != before || len(m.attempts(id)) != 0 {
		t.Fatal("something was sent")
	}
}

// "Add line" and "Update totals" re-render the form with everything typed,
// the reason and the helpdesk ticket too (they were cleared), in the
// amount form and the refund form alike.
func TestEditingButtonsKeepReasonAndTicket(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	ag := m.signedIn(staff.RoleAgent)
	amountID := m.createOrder(orderSpec{})
	refundID, _ := m.capturedOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
	for _, tc := range []struct{ path, button string }{
		{formPath(amountID, "amount"), "add_line"},
		{formPath(amountID, "amount"), "recalc"},
		{formPath(refundID, "refund"), "recalc"},
	} {
		v := ag.formValues(tc.path)
		v.Set("reason", "other")
		v.Set("reason_other", "the customer called twice")
		v.Set("ticket", "ZD-4711")
		v.Set(tc.button, "1")
		r := ag.postForm(tc.path, v)
		if r.resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: status %d", tc.path, tc.button, r.resp.StatusCode)
		}
		back := formOf(r)
		for name, want := range map[string]string{"reason": "other", "reason_other": "the customer called twice", "ticket": "ZD-4711"} {
			if got := back.Get(name); got != want {
				t.Errorf("%s %s: %s came back as %q, want %q", tc.path, tc.button, name, got, want)
			}
		}
	}
}
