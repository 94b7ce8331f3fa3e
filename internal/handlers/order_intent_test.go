package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/staff"
)

// refundForm posts the order's refund form for a typed amount, with extra
// fields (the confirmation).
func refundForm(ag *agent, orderID, amount string, extra map[string]string) answer {
	ag.a.t.Helper()
	path := formPath(orderID, "refund")
	set := map[string]string{"mode": "amount", "refunded_amount": amount, "ticket": "HD-77"}
	for k, v := range extra {
		set[k] = v
	}
	return ag.post(path, ag.fill(path, set), nil)
}

// TestRefundAfterLostAnswerWaitsForCheck: a 40,00 € refund whose answer is
// lost (the provider applied it), then a new refund form for 40,00 €: not
// sent, the typed values kept, the order page shows the unknown refund
// first with "Check now"; the check settles it from the provider's refund
// list, the history shows the refund on the attempt (not "made outside
// ordercare"), and a refund of the same amount then asks to confirm
// another one, which sends it.
func TestRefundAfterLostAnswerWaitsForCheck(t *testing.T) {
	t.Parallel()
	m := newMoneyApp(t, "")
	id, _ := m.capturedOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE",
		lines: []omclient.OrderLine{physical("TV-1", "Television", 1, 100000, 0, 1900)}})
	ag := m.signedIn(staff.RoleAgent)

	m.sandbox.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/refunds", Kind: omsim.FaultResetAfterApply}}})
	if r := refundForm(ag, id, "40,00", nil); r.resp.StatusCode != http.StatusBadGateway || r.testid("outcome").AttrOr("data-outcome", "") != "unknown" {
		t.Fatalf("lost answer: status %d", r.resp.StatusCode)
	}
	m.sandbox.SetFaults(omsim.Faults{})
	if n := len(m.sandboxOrder(id).Refunds); n != 1 {
		t.Fatalf("%d refunds at the provider after the lost answer, want 1", n)
	}
	applied := m.applied(id)

	r := refundForm(ag, id, "40,00", nil)
	if r.resp.StatusCode != http.StatusConflict {
		t.Fatalf("new form for the same amount: status %d, want 409", r.resp.StatusCode)
	}
	if h := text(r.testid("intent-heading")); !strings.Contains(h, "unknown outcome") {
		t.Fatalf("intent box: %q", h)
	}
	if r.testid("intent-confirm").Length() != 0 || r.testid("intent-check").Length() != 1 {
		t.Fatal("an unknown outcome must not be confirmable, only checked")
	}
	if v := r.doc.Find(`input[name="refunded_amount"]`).AttrOr("value", ""); v != "40,00" {
		t.Fatalf("typed amount not kept: %q", v)
	}
	if m.applied(id) != applied {
		t.Fatal("the refund was sent while the lost one was unknown")
	}

	page := ag.get("/orders/"+id, nil)
	items := page.testid("unsettled-item")
	if items.Length() != 1 || !strings.Contains(text(items), "40,00") {
		t.Fatalf("order page: unsettled %q", text(page.testid("unsettled")))
	}
	// The auditor sees it, without "Check now" (a check records an event).
	if aud := m.signedIn(staff.RoleAuditor).get("/orders/"+id, nil); aud.testid("unsettled-item").Length() != 1 || aud.testid("check-now").Length() != 0 {
		t.Fatal("the auditor's order page: want the unknown refund without Check now")
	}
	check := items.Find("form").AttrOr("action", "")
	done := ag.follow(ag.post(check, url.Values{"_csrf": {ag.csrfToken()}}, nil))
	if f := text(done.testid("flash")); !strings.Contains(f, "The change was applied") || !strings.Contains(f, m.sandboxOrder(id).Refunds[0].RefundID) {
		t.Fatalf("after Check now: flash %q", f)
	}
	if done.testid("unsettled").Length() != 0 {
		t.Fatal("the settled refund is still listed as unknown")
	}
	hist := text(done.testid("order-history"))
	if strings.Contains(hist, "Refund 40,00 € made outside ordercare") || !strings.Contains(hist, "Refund 40,00 € Succeeded (checked)") {
		t.Fatalf("history: %s", hist)
	}

	r = refundForm(ag, id, "40,00", nil)
	if r.resp.StatusCode != http.StatusConflict || !strings.Contains(text(r.testid("intent")), "Refund another 40,00 €?") ||
		!strings.Contains(text(r.testid("intent-line")), "agent@example.com") {
		t.Fatalf("same amount after the check: status %d, box %q", r.resp.StatusCode, text(r.testid("intent")))
	}
	tok := r.testid("intent-confirm").AttrOr("value", "")
	// A confirmation for 40,00 € does not send 30,00 €.
	if r := refundForm(ag, id, "30,00", map[string]string{"confirm_twin": tok}); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another amount: status %d", r.resp.StatusCode)
	}
	if r := refundForm(ag, id, "40,00", map[string]string{"confirm_twin": tok}); r.resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale confirmation (the order changed): status %d, want 409", r.resp.StatusCode)
	}
	r = refundForm(ag, id, "40,00", nil)
	tok = r.testid("intent-confirm").AttrOr("value", "")
	if r := refundForm(ag, id, "40,00", map[string]string{"confirm_twin": tok}); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirmed: status %d", r.resp.StatusCode)
	}
	if got := m.sandboxOrder(id).RefundedAmount; got != 11000 {
		t.Fatalf("refunded %d, want 40+30+40 = 110,00", got)
	}
}

// TestTwinApprovalRequests: an agent asks twice for 600,00 € on one order;
// the second form asks to confirm (nothing filed without it). Each
// request's page lists the other, and approving needs the same explicit
// confirmation: without it nothing is approved or sent.
func TestTwinApprovalRequests(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	a.refund(ag, id, "600,00", nil)
	r := a.refund(ag, id, "600,00", nil)
	if r.resp.StatusCode != http.StatusConflict || !strings.Contains(text(r.testid("intent")), "waiting for approval") {
		t.Fatalf("second request: status %d, box %q", r.resp.StatusCode, text(r.testid("intent")))
	}
	if n := len(a.requests(id)); n != 1 {
		t.Fatalf("%d requests after the unconfirmed twin, want 1", n)
	}
	tok := r.testid("intent-confirm").AttrOr("value", "")
	refundForm(ag, id, "600,00", map[string]string{"confirm_twin": tok})
	rs := a.requests(id)
	if len(rs) != 2 {
		t.Fatalf("%d requests after the confirmed twin, want 2", len(rs))
	}

	sup := a.signedIn(staff.RoleSupervisor)
	page := sup.get("/approvals/"+rs[1].ID, nil)
	if o := text(page.testid("approval-others")); !strings.Contains(o, "600.00") && !strings.Contains(o, "600,00") {
		t.Fatalf("the request's page does not list the other: %q", o)
	}
	if page.testid("intent-confirm").Length() != 1 {
		t.Fatal("no confirmation on the approve form of a twin")
	}
	got := sup.decide(rs[1].ID, "approve", "ok", nil)
	if got.resp.StatusCode != http.StatusConflict || a.sent.Load() != 0 {
		t.Fatalf("approve without confirmation: status %d, %d sent", got.resp.StatusCode, a.sent.Load())
	}
	if v := got.doc.Find(`textarea[name="comment"]`).Text(); v != "ok" {
		t.Fatalf("typed comment not kept: %q", v)
	}
	tok = got.testid("intent-confirm").AttrOr("value", "")
	sup.follow(sup.decide(rs[1].ID, "approve", "ok", url.Values{"confirm_twin": {tok}}))
	if a.sandboxOrder(id).RefundedAmount != 60000 {
		t.Fatalf("refunded %d after the confirmed approval", a.sandboxOrder(id).RefundedAmount)
	}
	// The other request is now the twin of a refund made.
	if got := sup.decide(rs[0].ID, "approve", "ok", nil); got.resp.StatusCode != http.StatusConflict ||
		!strings.Contains(text(got.testid("intent")), "(made)") {
		t.Fatalf("approving the other twin: status %d, %q", got.resp.StatusCode, text(got.testid("intent")))
	}
	if a.sandboxOrder(id).RefundedAmount != 60000 {
		t.Fatal("the second twin was sent")
	}
}
