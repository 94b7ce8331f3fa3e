package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/staff"
)

// The capture and refund forms move what the agent typed, never what a
// choice the agent did not look at says: no mode is preselected, a
// typed quantity or amount names the mode when none is chosen, a choice
// the typed values contradict is refused (nothing sent, all kept), and
// the submit button names the money of the draft the preview shows.

// modeError is the message shown in the form's "What to refund" box.
func modeError(r answer) string { return strings.TrimSpace(r.testid("mode-error").Text()) }

// submitText is the visible submit button's text.
func submitText(r answer) string { return strings.TrimSpace(r.testid("submit").Text()) }

// refundOfDEOrder is the usual start: the German order captured in full
// in one capture, an agent signed in, and the path of its refund form.
func refundOfDEOrder(t *testing.T) (*moneyApp, string, *agent, string) {
	t.Helper()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
	return m, id, m.signedIn(staff.RoleAgent), formPath(id, "refund")
}

// TestRefundFormHasNoPreselectedMode: the form opens with no mode chosen
// and a button that names no money yet.
func TestRefundFormHasNoPreselectedMode(t *testing.T) {
	t.Parallel()
	m, id, ag, _ := refundOfDEOrder(t)
	for _, slug := range []string{"refund", "capture"} {
		oid := id
		if slug == "capture" {
			oid = m.createOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
		}
		r := ag.get(formPath(oid, slug), nil)
		if n := r.doc.Find(`form [name="mode"][checked]`).Length(); n != 0 {
			t.Errorf("%s: %d mode preselected, want none", slug, n)
		}
		if got, want := submitText(r), map[string]string{"refund": "Refund", "capture": "Capture"}[slug]; got != want {
			t.Errorf("%s: button %q before anything is chosen, want %q", slug, got, want)
		}
	}
}

// TestRefundRefusesTypedQuantitiesWithEverythingChosen: "Everything
// refundable" with a quantity typed is refused; nothing is sent and the
// quantity and the choice stay as typed.
func TestRefundRefusesTypedQuantitiesWithEverythingChosen(t *testing.T) {
	t.Parallel()
	m, id, ag, path := refundOfDEOrder(t)
	applied, attempts := m.applied(id), len(m.attempts(id))
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "full", lineName(0, "quantity"): "1", "description": "one pair back"}))
	if r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422 (refused): the order now has %d refunded", r.resp.StatusCode, m.sandboxOrder(id).RefundedAmount)
	}
	if got := modeError(r); !strings.Contains(got, "You typed quantities but chose “Everything refundable”") {
		t.Errorf("mode message %q", got)
	}
	if !strings.Contains(r.testid("error-summary").Text(), "You typed quantities") {
		t.Errorf("the summary does not list it: %q", r.testid("error-summary").Text())
	}
	m.expectNoChange(id, applied, attempts)
	if v := formOf(r); v.Get(lineName(0, "quantity")) != "1" || v.Get("mode") != "full" || v.Get("description") != "one pair back" {
		t.Errorf("typed values lost: quantity %q, mode %q, description %q", v.Get(lineName(0, "quantity")), v.Get("mode"), v.Get("description"))
	}
	if got := submitText(r); got != "Refund" {
		t.Errorf("button %q names money the form would not send", got)
	}

	// An amount with "Chosen lines", quantities with "An amount": refused too.
	for _, c := range []struct{ mode, field, want string }{
		{"lines", "refunded_amount", "You typed an amount but chose “Chosen lines”"},
		{"amount", lineName(1, "quantity"), "You typed quantities but chose “An amount”"},
		{"full", "refunded_amount", "You typed an amount but chose “Everything refundable”"},
	} {
		set := map[string]string{"mode": c.mode, c.field: "2"}
		if c.mode == "lines" {
			set[lineName(0, "quantity")] = "1"
		} else if c.mode == "amount" {
			set["refunded_amount"] = "10"
		}
		r := ag.postForm(path, ag.fill(path, set))
		if got := modeError(r); r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, c.want) {
			t.Errorf("mode %s with %s typed: status %d, message %q, want %q", c.mode, c.field, r.resp.StatusCode, got, c.want)
		}
	}
	m.expectNoChange(id, applied, attempts)
}

// TestRefundWithoutModeRefundsWhatWasTyped: a browser without JavaScript
// posts no mode; the typed quantity names "Chosen lines" and only that
// line is refunded. Nothing typed and no mode is a message, not a full
// refund.
func TestRefundWithoutModeRefundsWhatWasTyped(t *testing.T) {
	t.Parallel()
	m, id, ag, path := refundOfDEOrder(t)
	o := m.sandboxOrder(id)
	applied, attempts := m.applied(id), len(m.attempts(id))

	v := ag.fill(path, nil)
	v.Del("mode")
	r := ag.postForm(path, v)
	if got := modeError(r); r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "Choose what to refund") {
		t.Fatalf("nothing chosen or typed: status %d, message %q; the order now has %d refunded", r.resp.StatusCode, got, m.sandboxOrder(id).RefundedAmount)
	}
	m.expectNoChange(id, applied, attempts)

	v = ag.fill(path, map[string]string{lineName(0, "quantity"): "1"})
	v.Del("mode")
	r = ag.postForm(path, v)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	got := m.sandboxOrder(id)
	if got.RefundedAmount != 8990 || len(got.Refunds) != 1 || len(got.Refunds[0].OrderLines) != 1 || got.Refunds[0].OrderLines[0].Reference != "SH-1" {
		t.Fatalf("refunded %d of %d (%d refunds), want the shoes only, 8990", got.RefundedAmount, o.CapturedAmount, len(got.Refunds))
	}

	v = ag.fill(path, map[string]string{"refunded_amount": "5,00"})
	v.Del("mode")
	if r := ag.postForm(path, v); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("amount without mode: status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if got := m.sandboxOrder(id); got.RefundedAmount != 8990+500 || len(got.Refunds[1].OrderLines) != 0 {
		t.Fatalf("refunded %d, want 9490 with the 5,00 € amount only", got.RefundedAmount)
	}
}

// TestCaptureRefusesTypedValuesWithEverythingChosen: the capture form
// follows the same rules.
func TestCaptureRefusesTypedValuesWithEverythingChosen(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id := m.createOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
	ag := m.signedIn(staff.RoleAgent)
	path := formPath(id, "capture")
	applied, attempts := m.applied(id), len(m.attempts(id))
	r := ag.postForm(path, ag.fill(path, map[string]string{"mode": "full", "captured_amount": "20,00"}))
	if got := modeError(r); r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(got, "You typed an amount but chose “Everything that is left”") {
		t.Fatalf("status %d, message %q; captured now %d", r.resp.StatusCode, got, m.sandboxOrder(id).CapturedAmount)
	}
	m.expectNoChange(id, applied, attempts)
	if fieldValue(r, "captured_amount") != "20,00" {
		t.Errorf("typed amount lost: %q", fieldValue(r, "captured_amount"))
	}

	v := ag.fill(path, map[string]string{lineName(1, "quantity"): "2"})
	v.Del("mode")
	if r := ag.postForm(path, v); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("quantity without mode: status %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	got := m.sandboxOrder(id)
	if len(got.Captures) != 1 || len(got.Captures[0].OrderLines) != 1 || got.Captures[0].OrderLines[0].Reference != "SO-3" || got.Captures[0].OrderLines[0].Quantity != 2 {
		t.Fatalf("captured %d in %d captures, want 2 pairs of socks only", got.CapturedAmount, len(got.Captures))
	}
}

// TestRefundButtonNamesTheMoney: the button names the amount of the
// draft the preview shows, in the full form and in the live preview
// (swapped into the button out of band).
func TestRefundButtonNamesTheMoney(t *testing.T) {
	t.Parallel()
	m, id, ag, path := refundOfDEOrder(t)
	v := ag.formValues(path)
	v.Set("mode", "lines")
	v.Set(lineName(0, "quantity"), "1")
	r := ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	if got := strings.TrimSpace(r.testid("effect-summary").Text()); !strings.Contains(got, "Refund 89,90\u00a0€") {
		t.Fatalf("preview summary %q", got)
	}
	oob := r.testid("oob-submit")
	if got := strings.TrimSpace(oob.Text()); got != "Refund 89,90\u00a0€" {
		t.Fatalf("preview names %q for the button, want Refund 89,90 €", got)
	}
	if sel := oob.AttrOr("hx-swap-oob", ""); !strings.HasPrefix(sel, "innerHTML:") {
		t.Fatalf("the button text is not swapped out of band: %q", sel)
	}

	// Without JavaScript, "Update totals" renders the same button.
	v.Set("recalc", "1")
	if got := submitText(ag.postForm(path, v)); got != "Refund 89,90\u00a0€" {
		t.Fatalf("button after Update totals %q", got)
	}
	v.Del("recalc")

	// A quantity beyond what is open: the preview names no money.
	v.Set(lineName(0, "quantity"), "2")
	r = ag.post(path+"/preview", v, htmxHeaders(m.ordersApp, id))
	if got := strings.TrimSpace(r.testid("oob-submit").Text()); got != "Refund" {
		t.Fatalf("button for an impossible refund %q, want plain Refund", got)
	}

	// Capture: the same, from its own draft.
	cid := m.createOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: deLines()})
	cpath := formPath(cid, "capture")
	cv := ag.formValues(cpath)
	cv.Set(lineName(1, "quantity"), "3")
	r = ag.post(cpath+"/preview", cv, htmxHeaders(m.ordersApp, cid))
	if got := strings.TrimSpace(r.testid("oob-submit").Text()); got != "Capture 13,97\u00a0€" {
		t.Fatalf("capture preview names %q, want Capture 13,97 €", got)
	}
	if m.applied(cid) != 0 {
		t.Fatal("a preview sent something")
	}
}
