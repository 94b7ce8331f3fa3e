package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// The four-eyes loopholes as an agent met them in the browser (no
// JavaScript): split refunds, cutting the amount before cancelling, a
// currency without a threshold, and approving through an account the
// requester just made. Each is held now, the form's preview says so
// beforehand and links the rules, and nothing reaches the provider.

// TestApprovalSplitRefundsAreHeld: 500 € then 100 € on one order, each
// at or under the 500 € threshold: the second waits for approval.
func TestApprovalSplitRefundsAreHeld(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	if r := a.refund(ag, id, "500,00", nil); r.resp.StatusCode != http.StatusSeeOther || a.sandboxOrder(id).RefundedAmount != 50000 {
		t.Fatalf("first refund: status %d, refunded %d", r.resp.StatusCode, a.sandboxOrder(id).RefundedAmount)
	}
	path := formPath(id, "refund")
	form := ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": "100,00", "ticket": "HD-42"})
	preview := ag.post(path+"/preview", form, http.Header{"HX-Request": {"true"}})
	note := preview.testid("approval-needed")
	if note.Length() != 1 || !strings.Contains(text(note), "come to 600,00 €") ||
		note.Find(`a[href="/approvals/policy"]`).Length() != 1 {
		t.Fatalf("the preview does not say the refund needs approval: %q", text(preview.doc.Selection))
	}
	sent := a.sent.Load()
	page := ag.follow(ag.postForm(path, form))
	// The reason reads its amounts like the rest of the page (the
	// order's German in a client that sends no language), not "500.00 EUR".
	if flash := text(page.testid("flash")); !strings.HasPrefix(flash, "Waiting for approval: refund of 100,00 €") ||
		!strings.Contains(flash, "more than 500,00 €") || strings.Contains(flash, "EUR") {
		t.Fatalf("confirmation %q", flash)
	}
	if a.sent.Load() != sent || a.sandboxOrder(id).RefundedAmount != 50000 || a.onlyRequest(id).Amount != 10000 {
		t.Fatal("the second part of a split refund was sent without approval")
	}
}

// TestApprovalCutThenCancelIsHeld: cutting a 1 000 € order to 1 € is held
// itself; once approved, cancelling the 1 € left is judged by the 1 000 €
// the order had today.
func TestApprovalCutThenCancelIsHeld(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(false)
	ag := a.signedIn(staff.RoleAgent)
	path := formPath(id, "amount")
	form := ag.fill(path, map[string]string{"mode": "amount", "order_amount": "1,00", "drop_lines": "1"})
	if note := ag.post(path+"/preview", form, http.Header{"HX-Request": {"true"}}).testid("approval-needed"); !strings.Contains(text(note), "from 1.000,00 € to 1,00 €") {
		t.Fatalf("amount preview: %q", text(note))
	}
	page := ag.follow(ag.postForm(path, form))
	if flash := text(page.testid("flash")); !strings.HasPrefix(flash, "Waiting for approval: order amount change to 1,00 €") {
		t.Fatalf("cut: %q", flash)
	}
	if o := a.sandboxOrder(id); o.OrderAmount != 100000 || a.sent.Load() != 0 {
		t.Fatalf("the cut was sent: amount %d", o.OrderAmount)
	}
	cut := a.onlyRequest(id)
	sup := a.signedIn(staff.RoleSupervisor)
	if done := sup.follow(sup.decide(cut.ID, "approve", "customer kept one item", nil)); !strings.HasPrefix(text(done.testid("flash")), "Approved and sent") {
		t.Fatalf("approve the cut: %q", text(done.testid("flash")))
	}
	if o := a.sandboxOrder(id); o.OrderAmount != 100 {
		t.Fatalf("order amount after the approved cut: %d", o.OrderAmount)
	}

	cancel := formPath(id, "cancel")
	if note := ag.get(cancel, nil).testid("approval-needed"); !strings.Contains(text(note), "This order’s amount was 1.000,00 € in the last 24 hours") {
		t.Fatalf("cancel form: %q", text(note))
	}
	page = ag.follow(ag.postForm(cancel, ag.fill(cancel, nil)))
	if flash := text(page.testid("flash")); !strings.HasPrefix(flash, "Waiting for approval: cancellation of an order of 1,00 €") {
		t.Fatalf("cancel: %q", flash)
	}
	if o := a.sandboxOrder(id); o.Status != omclient.StatusAuthorized {
		t.Fatalf("the order was cancelled without approval: %s", o.Status)
	}
}

// TestApprovalCurrencyWithoutThresholdFailsClosed: with a EUR threshold
// only, a 1 zł refund waits; the rules page says which currencies are
// covered; a "*" default covers the rest.
func TestApprovalCurrencyWithoutThresholdFailsClosed(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id, _ := a.capturedOrder(orderSpec{country: "PL", currency: "PLN", locale: "pl-PL", lines: []omclient.OrderLine{physical("K-1", "Kurtka", 1, 30000, 0, 2300)}})
	ag := a.signedIn(staff.RoleAgent)
	page := ag.follow(a.refund(ag, id, "1,00", nil))
	if flash := text(page.testid("flash")); !strings.Contains(flash, "Waiting for approval") || !strings.Contains(flash, "No approval threshold is set for PLN") {
		t.Fatalf("PLN refund: %q", flash)
	}
	if a.sandboxOrder(id).RefundedAmount != 0 || a.sent.Load() != 0 {
		t.Fatal("a PLN refund was sent without a threshold")
	}

	list := ag.get("/approvals", nil)
	if list.doc.Find(`[data-testid="approval-policy-link"][href="/approvals/policy"]`).Length() != 1 {
		t.Fatal("/approvals does not link the rules")
	}
	for _, role := range []staff.Role{staff.RoleAgent, staff.RoleAuditor} {
		rules := a.signedIn(role).get("/approvals/policy", nil)
		if rules.resp.StatusCode != http.StatusOK {
			t.Fatalf("%s on /approvals/policy: %d", role, rules.resp.StatusCode)
		}
		rows := rules.testid("policy-threshold")
		if rows.Length() != 2 || text(rows.Eq(0).Find("th")) != "EUR" || text(rows.Eq(0).Find("td")) != "€500.00" ||
			text(rows.Eq(1).Find("th")) != "Any other currency" ||
			text(rows.Eq(1).Find("td")) != "none: every refund, cancellation, release and amount cut needs approval" {
			t.Fatalf("thresholds on the rules page: %q", text(rules.testid("policy-thresholds")))
		}
		if !strings.Contains(text(rules.testid("policy-deciders")), "created their account, changed their role or reset their password in the last 30 days") {
			t.Fatalf("deciders: %q", text(rules.testid("policy-deciders")))
		}
	}

	// Without approvals the page says so, rather than a 404.
	off := newMoneyApp(t, "").signedIn(staff.RoleAgent).get("/approvals/policy", nil)
	if off.resp.StatusCode != http.StatusOK || !strings.Contains(text(off.testid("policy-off")), "every change is sent at once") {
		t.Fatalf("rules page without approvals: %d %q", off.resp.StatusCode, text(off.doc.Find("main")))
	}

	p := thresholdPolicy()
	p.Thresholds[approvals.AnyCurrency] = 50000
	b := newApprovalsApp(t, p)
	pln, _ := b.capturedOrder(orderSpec{country: "PL", currency: "PLN", locale: "pl-PL", lines: []omclient.OrderLine{physical("K-1", "Kurtka", 1, 30000, 0, 2300)}})
	bg := b.signedIn(staff.RoleAgent)
	if r := b.refund(bg, pln, "300,00", nil); r.resp.StatusCode != http.StatusSeeOther || b.sandboxOrder(pln).RefundedAmount != 30000 {
		t.Fatalf("PLN refund under the * default: status %d, refunded %d", r.resp.StatusCode, b.sandboxOrder(pln).RefundedAmount)
	}
	rules := bg.get("/approvals/policy", nil).testid("policy-threshold")
	if rules.Length() != 2 || !strings.HasPrefix(text(rules.Eq(1).Find("td")), "50000 minor units of the order’s currency (€500.00, ¥50,000)") {
		t.Fatalf("the * default on the rules page: %q", text(rules))
	}
}

// TestApprovalPuppetMayNotDecide: an admin asks for a 600 € refund, adds a
// supervisor and signs in as it: the approval is refused with why, nothing
// is sent; a Cyrillic look-alike of an existing address is refused at the
// staff page; a supervisor the admin did not make approves.
func TestApprovalPuppetMayNotDecide(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	adm := a.signedIn(staff.RoleAdmin)
	a.refund(adm, id, "600,00", nil)
	req := a.onlyRequest(id)

	tok := adm.csrfToken()
	look := adm.post("/staff", url.Values{"_csrf": {tok}, "email": {"supervisor@exаmple.com"}, "role": {"supervisor"}, "password": {"puppet password 1"}}, nil)
	if look.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text(look.doc.Selection), "mixes letters of different scripts (Cyrillic and Latin)") ||
		look.doc.Find(`input[name="email"]`).AttrOr("value", "") != "supervisor@exаmple.com" {
		t.Fatalf("look-alike address: %d %q", look.resp.StatusCode, text(look.doc.Find("main")))
	}
	if r := adm.post("/staff", url.Values{"_csrf": {tok}, "email": {"sup2@example.com"}, "role": {"supervisor"}, "password": {"puppet password 1"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add sup2: %d", r.resp.StatusCode)
	}
	puppet, ok := a.signInAs("sup2@example.com", "puppet password 1")
	if !ok {
		t.Fatal("sup2 cannot sign in")
	}
	shown := puppet.get("/approvals/"+req.ID, nil)
	if shown.testid("approve").Length() != 0 || !strings.Contains(text(shown.testid("approval-own")), "admin@example.com created your account") {
		t.Fatalf("the puppet is offered the decision: %q", text(shown.testid("approval-own")))
	}
	r := puppet.decide(req.ID, "approve", "looks fine", nil)
	notice := text(r.testid("approval-notice"))
	if r.resp.StatusCode != http.StatusForbidden || !strings.Contains(notice, "you may not decide this request") ||
		!strings.Contains(notice, "admin@example.com created your account") {
		t.Fatalf("puppet approval: %d %q", r.resp.StatusCode, notice)
	}
	if a.sandboxOrder(id).RefundedAmount != 0 || a.request(req.ID).Status != approvals.StatusPending {
		t.Fatal("the puppet's approval sent the refund")
	}
	sup := a.signedIn(staff.RoleSupervisor)
	if done := sup.follow(sup.decide(req.ID, "approve", "return received", nil)); !strings.HasPrefix(text(done.testid("flash")), "Approved and sent") {
		t.Fatalf("supervisor: %q", text(done.testid("flash")))
	}
	if a.sandboxOrder(id).RefundedAmount != 60000 {
		t.Fatal("the approved refund was not sent")
	}
}
