package handlers_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// TestCaptureChosenLinesTwice captures part of the lines, then more of
// them: each capture holds at most what was still open per line, and the
// chairs' discount is shared out so that the parts add up to the line.
func TestCaptureChosenLinesTwice(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")

	r := ag.get(path, nil)
	if b, a := effect(r, "captured"); b != "0" || a != "0" {
		t.Fatalf("the form opens with nothing chosen, yet shows captured %s -> %s", b, a)
	}
	v := ag.fill(path, map[string]string{"mode": "lines", lineName(0, "quantity"): "1", lineName(2, "quantity"): "1",
		"description": "First parcel", "reason": "customer_request"})
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first capture: status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o := m.sandboxOrder(id)
	if len(o.Captures) != 1 || o.CapturedAmount != 53800 {
		t.Fatalf("after the first capture: %d captures, captured %d (want 48900 + 4900)", len(o.Captures), o.CapturedAmount)
	}
	c1 := o.Captures[0]
	if len(c1.OrderLines) != 2 || c1.OrderLines[0].Quantity != 1 || c1.OrderLines[0].TotalDiscountAmount != 1000 || c1.Description != "First parcel" {
		t.Fatalf("first capture lines: %+v", c1.OrderLines)
	}
	at := m.lastAttempt(id)
	if at.Requested.Before["captured_amount"] != "0.00 SEK" || at.Completed.After["captured_amount"] != "538.00 SEK" || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("audit before/after: %v -> %v (%s)", at.Requested.Before, at.Completed.After, at.Completed.Outcome)
	}
	if at.Completed.ResourceID != c1.CaptureID {
		t.Fatalf("audited capture id %q, sandbox has %q", at.Completed.ResourceID, c1.CaptureID)
	}
	flash := ag.get(r.resp.Header.Get("Location"), nil).testid("flash").Text()
	if want := "Captured 538,00\u00a0SEK (capture " + string(c1.KlarnaReference) + ", 2 lines)"; !strings.Contains(flash, want) {
		t.Fatalf("confirmation %q, want %q", flash, want)
	}

	// The form now offers 2 chairs, 2 lamps, no shipping.
	r = ag.get(path, nil)
	for i, want := range []string{"2", "2", "0"} {
		got := r.doc.Find(fmt.Sprintf(`[data-testid="pick-line"][data-index="%d"]`, i)).AttrOr("data-open", "")
		if got != want {
			t.Fatalf("line %d open %s, want %s", i, got, want)
		}
	}
	before := m.applied(id)
	v = ag.fill(path, map[string]string{"mode": "lines", lineName(0, "quantity"): "3"})
	r = ag.postForm(path, v)
	if got := fieldError(t, r, lineName(0, "quantity")); !strings.Contains(got, "At most 2") {
		t.Fatalf("over-capture of a line: %q", got)
	}
	if r.doc.Find(`input[name="`+lineName(2, "quantity")+`"]`).Length() != 0 {
		t.Fatal("the fully captured shipping line still has a quantity input")
	}
	if m.applied(id) != before {
		t.Fatal("an over-capture of a line was sent")
	}
	v = formOf(r)
	v.Set(lineName(0, "quantity"), "2")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second capture: status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o = m.sandboxOrder(id)
	c2 := o.Captures[1]
	if c2.OrderLines[0].Quantity != 2 || c2.OrderLines[0].TotalDiscountAmount != 2000 || c2.CapturedAmount != 97800 {
		t.Fatalf("second capture: %+v", c2)
	}
	if fe := omclient.ValidateOrderLines(c2.OrderLines); len(fe) > 0 {
		t.Fatalf("part lines break the arithmetic: %+v", fe)
	}
	if o.RemainingAuthorizedAmount != 201500-53800-97800 || o.Status != omclient.StatusPartCaptured {
		t.Fatalf("remaining %d, status %s", o.RemainingAuthorizedAmount, o.Status)
	}
}

// TestCaptureEverythingWithShippingInfo: the default mode captures the
// remaining amount with all open lines and the shipping entry.
func TestCaptureEverythingWithShippingInfo(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "full",
		"shipping_info[0].shipping_company": "PostNord SE", "shipping_info[0].shipping_method": "PickUpPoint",
		"shipping_info[0].tracking_number": "00370712345678901234", "shipping_info[0].tracking_uri": "https://tracking.postnord.com/se/?id=1",
		"reference": "WH-77"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	o := m.sandboxOrder(id)
	c := o.Captures[0]
	if o.Status != omclient.StatusCaptured || c.CapturedAmount != 201500 || len(c.OrderLines) != 3 || c.Reference != "WH-77" {
		t.Fatalf("capture %+v, status %s", c, o.Status)
	}
	if len(c.ShippingInfo) != 1 || c.ShippingInfo[0].ShippingMethod != "PickUpPoint" || c.ShippingInfo[0].TrackingNumber != "00370712345678901234" {
		t.Fatalf("shipping info %+v", c.ShippingInfo)
	}
}

// TestCaptureRefusesBeforeSending: each rule gives a message at its field
// and nothing reaches the provider.
func TestCaptureRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 1500})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	amount := func(s string) map[string]string { return map[string]string{"mode": "amount", "captured_amount": s} }
	tests := []struct {
		name, field, want string
		set               map[string]string
	}{
		{"empty amount", "captured_amount", "Enter an amount", amount("")},
		{"three decimals", "captured_amount", "SEK has 2 decimals", amount("12.505")},
		{"two separators", "captured_amount", "Type an amount such as", amount("1,2,3")},
		{"negative", "captured_amount", "cannot be negative", amount("-5")},
		{"zero", "captured_amount", "must be more than 0,00", amount("0")},
		{"more than remaining", "captured_amount", "More than the remaining authorized amount, 2\u00a0000,00\u00a0SEK", amount("2000.01")},
		{"description too long", "description", "At most 255", map[string]string{"description": strings.Repeat("x", 256)}},
		{"reference too long", "reference", "At most 255", map[string]string{"reference": strings.Repeat("x", 256)}},
		{"shipping company too long", "shipping_info[0].shipping_company", "At most 100", map[string]string{"shipping_info[0].shipping_company": strings.Repeat("x", 101)}},
		{"tracking link not http(s)", "shipping_info[0].tracking_uri", "https://", map[string]string{"shipping_info[0].tracking_uri": "javascript:alert(1)"}},
		{"tracking link without host", "shipping_info[0].tracking_uri", "https://", map[string]string{"shipping_info[0].tracking_uri": "https:///x"}},
		{"negative line quantity", lineName(1, "quantity"), "cannot be negative", map[string]string{"mode": "lines", lineName(1, "quantity"): "-1"}},
		{"line quantity over what is open", lineName(1, "quantity"), "At most 2", map[string]string{"mode": "lines", lineName(1, "quantity"): "3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := m.applied(id)
			v := ag.fill(path, tt.set)
			r := ag.postForm(path, v)
			if r.resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.resp.StatusCode)
			}
			if got := fieldError(t, r, tt.field); !strings.Contains(got, tt.want) {
				t.Fatalf("message at %s = %q, want %q", tt.field, got, tt.want)
			}
			if m.applied(id) != before {
				t.Fatal("the provider was called")
			}
			for k, want := range tt.set {
				if k != "mode" && fieldValue(r, k) != strings.TrimSpace(want) {
					t.Errorf("field %s lost its value %q", k, want)
				}
			}
		})
	}
	t.Run("no line chosen", func(t *testing.T) {
		r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "lines"}))
		if got := r.testid("lines-error").Text(); !strings.Contains(got, "at least one line") {
			t.Fatalf("message %q", got)
		}
	})
	if n := len(m.attempts(id)); n != 0 {
		t.Fatalf("%d attempts audited", n)
	}
}

// TestCaptureRefusedByTheProvider stages a race no local check can see:
// just as the back office's capture reaches the provider, the shop's own
// system captures the rest. The form was right when rendered and still
// right when re-read, so only the provider can refuse: CAPTURE_NOT_ALLOWED
// is shown with its correlation id and audited as refused. (A capture on
// an order in fraud review would be the other refusal, but the form is
// not offered then: orders.Actions refuses it before any call.)
func TestCaptureRefusedByTheProvider(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	v := ag.fill(path, map[string]string{"mode": "full"})
	key := v.Get("idempotency_key")
	m.onceBefore(http.MethodPost, "/captures", func() {
		m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 201500, Description: "warehouse system"})
	})
	r := ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusUnprocessableEntity || r.testid("outcome").AttrOr("data-outcome", "") != "refused" {
		t.Fatalf("status %d, outcome %s", r.resp.StatusCode, r.testid("outcome").Text())
	}
	if got := r.testid("outcome-code").Text(); got != string(omclient.CodeCaptureNotAllowed) {
		t.Fatalf("code %q", got)
	}
	corr := r.testid("outcome-correlation-id").Text()
	at := m.lastAttempt(id)
	if at.Completed.Outcome != audit.OutcomeRefused || at.Completed.CorrelationID != corr || corr == "" || at.Completed.HTTPStatus != http.StatusForbidden {
		t.Fatalf("audit %+v, shown correlation id %q", at.Completed, corr)
	}
	if fieldValue(r, "idempotency_key") == key {
		t.Fatal("the refused form kept its key")
	}
	if o := m.sandboxOrder(id); len(o.Captures) != 1 || o.Captures[0].Description != "warehouse system" {
		t.Fatalf("captures %+v", o.Captures)
	}
	// The form now shows the order as it is: nothing left, effect from there.
	if b, _ := effect(r, "remaining"); b != "0" {
		t.Fatalf("refused form's effect starts from remaining %s", b)
	}
}

// TestCaptureDoubleSubmit posts the same capture form twice at once (a
// double click without JavaScript): the provider captures once, both
// answers lead to the order page.
func TestCaptureDoubleSubmit(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	v := ag.fill(path, map[string]string{"mode": "amount", "captured_amount": "100"})
	before := m.applied(id)
	var wg sync.WaitGroup
	status := make([]int, 2)
	for i := range status {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status[i] = ag.postForm(path, v).resp.StatusCode
		}()
	}
	wg.Wait()
	for i, s := range status {
		if s != http.StatusSeeOther {
			t.Errorf("submit %d: status %d", i, s)
		}
	}
	o := m.sandboxOrder(id)
	if len(o.Captures) != 1 || o.CapturedAmount != 10000 || m.applied(id) != before+1 {
		t.Fatalf("captures %d, captured %d, applied %d -> %d", len(o.Captures), o.CapturedAmount, before, m.applied(id))
	}
	if n := len(m.attempts(id)); n != 1 {
		t.Fatalf("%d audited attempts, want 1", n)
	}
}

// TestCapturePreviewFragment: the live preview of chosen lines.
func TestCapturePreviewFragment(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	v := ag.formValues(path)
	v.Set("mode", "lines")
	v.Set(lineName(0, "quantity"), "2")
	before := m.applied(id)
	r := ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	if b, a := effect(r, "captured"); b != "0" || a != "97800" {
		t.Fatalf("captured %s -> %s, want 0 -> 97800 (2 × 499 − 20)", b, a)
	}
	if b, a := effect(r, "remaining"); b != "201500" || a != "103700" {
		t.Fatalf("remaining %s -> %s", b, a)
	}
	if got := r.doc.Find("#pick-0-total").Text(); got != "978,00\u00a0SEK" {
		t.Fatalf("row total %q", got)
	}
	if got := r.testid("effect-summary").Text(); !strings.Contains(got, "Capture 978,00\u00a0SEK, 1 line") {
		t.Fatalf("summary %q", got)
	}
	v.Set(lineName(0, "quantity"), "9")
	r = ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	if r.testid("money-preview").AttrOr("data-ready", "") != "false" || !strings.Contains(r.testid("effect-problems").Text(), "At most 3") {
		t.Fatalf("preview of an over-capture: %s", r.testid("money-preview").Text())
	}
	if m.applied(id) != before {
		t.Fatal("the preview sent something")
	}
}

// TestCaptureJPY: a part of a discounted line in yen.
func TestCaptureJPY(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{country: "JP", currency: "JPY", locale: "ja-JP",
		lines: []omclient.OrderLine{physical("C-1", "Cup", 3, 1200, 100, 1000)}})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "amount", "captured_amount": "99.5"}))
	if got := fieldError(t, r, "captured_amount"); got != "JPY has no decimals" {
		t.Fatalf("message %q", got)
	}
	r = ag.postForm(path, ag.fill(path, map[string]string{"mode": "lines", lineName(0, "quantity"): "1"}))
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	c := m.sandboxOrder(id).Captures[0]
	// 100 yen off 3 cups: one cup carries 33 of it.
	if c.CapturedAmount != 1167 || c.OrderLines[0].TotalDiscountAmount != 33 || c.OrderLines[0].TotalTaxAmount != 106 {
		t.Fatalf("capture %+v", c)
	}
	if got := ag.get(r.resp.Header.Get("Location"), nil).testid("flash").Text(); !strings.Contains(got, "Captured ¥1,167") {
		t.Fatalf("confirmation %q", got)
	}
}

// TestCaptureStaleAndFraudReview: a form rendered before another capture
// is stale; an order in fraud review is not offered the form at all.
func TestCaptureStaleAndFraudReview(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	v := ag.fill(path, map[string]string{"mode": "amount", "captured_amount": "10"})
	m.shopCapture(id, omclient.CaptureRequest{CapturedAmount: 500})
	before := m.applied(id)
	r := ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusConflict || r.testid("outcome").AttrOr("data-outcome", "") != "stale" {
		t.Fatalf("stale: status %d %s", r.resp.StatusCode, r.testid("outcome").Text())
	}
	if fieldValue(r, "captured_amount") != "10" {
		t.Fatal("typed amount lost")
	}
	pending := m.createOrder(orderSpec{fraud: omclient.FraudPending})
	r = ag.get(formPath(pending, "capture"), nil)
	if r.resp.StatusCode != http.StatusConflict || !strings.Contains(r.testid("form-disallowed").Text(), "fraud review") {
		t.Fatalf("pending order: status %d, %q", r.resp.StatusCode, r.testid("form-disallowed").Text())
	}
	pv := v
	pv.Set("expected", "v1.AUTHORIZED.201500.0.0.0.0")
	r = ag.postForm(formPath(pending, "capture"), pv)
	if r.resp.StatusCode != http.StatusConflict {
		t.Fatalf("POST on a pending order: status %d", r.resp.StatusCode)
	}
	if m.applied(id) != before || m.applied(pending) != 0 || len(m.attempts(pending)) != 0 {
		t.Fatal("something was sent")
	}
}

// TestCaptureWithHTMX: opened from the order page (a fragment for
// #order-form) and submitted by htmx, the answer is the refreshed order
// page with the confirmation, swapped in place.
func TestCaptureWithHTMX(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	r := ag.get(path, htmxHeaders(m.ordersApp, id))
	if r.resp.StatusCode != http.StatusOK || r.doc.Find("header.topbar").Length() != 0 || r.testid("capture-form").Length() != 1 {
		t.Fatalf("htmx GET: status %d, want the form panel alone", r.resp.StatusCode)
	}
	if got := r.testid("capture-form").AttrOr("hx-post", ""); got != path+"/preview" {
		t.Fatalf("live preview posts to %q", got)
	}
	v := formOf(r)
	v.Set("reason", "customer_request")
	v.Set("mode", "amount")
	v.Set("captured_amount", "12.50")
	r = ag.post(path, v, htmxHeaders(m.ordersApp, id))
	if r.resp.StatusCode != http.StatusOK || r.resp.Header.Get("HX-Retarget") != "#order-page" {
		t.Fatalf("htmx submit: status %d, retarget %q", r.resp.StatusCode, r.resp.Header.Get("HX-Retarget"))
	}
	c := m.sandboxOrder(id).Captures[0]
	if got := r.testid("flash").Text(); got != "Captured 12,50\u00a0SEK (capture "+string(c.KlarnaReference)+")" {
		t.Fatalf("confirmation %q", got)
	}
	if got := r.testid("amount-captured").AttrOr("data-minor", ""); got != "1250" {
		t.Fatalf("the refreshed page shows captured %s", got)
	}
}
