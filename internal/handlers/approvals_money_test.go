package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/staff"
)

// TestApprovalReasonsReadInTheReadersFormat: why a request waits names
// its amounts the way the reader reads every other amount (their chosen
// number format, else their browser's language), on the request's page,
// its path and the rules page, not "500.00 EUR" beside "€600.00". The
// stored sentence keeps the exact figures, so a request made before
// reads the same way.
func TestApprovalReasonsReadInTheReadersFormat(t *testing.T) {
	t.Parallel()
	p := thresholdPolicy()
	p.DailyRefundLimits = map[string]int64{"EUR": 300000}
	a := newApprovalsApp(t, p)
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	if sent := a.refund(ag, id, "100,00", nil); sent.resp.StatusCode != http.StatusSeeOther || a.sandboxOrder(id).RefundedAmount != 10000 {
		t.Fatalf("the refund under the threshold: %d", sent.resp.StatusCode)
	}
	a.refund(ag, id, "600,00", nil)
	r := a.onlyRequest(id)
	if !strings.Contains(r.Why, "500.00 EUR") {
		t.Fatalf("the stored reason %q lost its figures", r.Why)
	}

	sup := a.signedIn(staff.RoleSupervisor)
	english := http.Header{"Accept-Language": {"en-GB,en;q=0.8"}}
	reads := func(hdr http.Header, threshold, limit, earlier string) {
		t.Helper()
		page := sup.get("/approvals/"+r.ID, hdr)
		if why := text(page.testid("approval-why")); !strings.Contains(why, "more than "+threshold+" need") || strings.Contains(why, "EUR") {
			t.Errorf("the request's reason reads %q, want the threshold as %q", why, threshold)
		}
		step := page.doc.Find(`[data-testid="approval-step"][data-step="requested"]`)
		if s := text(step); !strings.Contains(s, "more than "+threshold) || strings.Contains(s, "EUR") {
			t.Errorf("the requested step reads %q, want the threshold as %q", s, threshold)
		}
		if s := text(page.testid("approval-other")); !strings.Contains(s, "A refund of "+earlier+" by agent@example.com") {
			t.Errorf("the order's other changes read %q, want the earlier refund as %q", s, earlier)
		}
		list := sup.get("/approvals", hdr).doc.Find(`[data-testid="approval-row"][data-approval-id="` + r.ID + `"]`)
		if s := text(list); !strings.Contains(s, "more than "+threshold) {
			t.Errorf("the list row reads %q, want the threshold as %q", s, threshold)
		}
		rules := sup.get("/approvals/policy", hdr)
		if got := text(rules.doc.Find(`[data-testid="policy-threshold"][data-currency="EUR"] td`)); got != threshold {
			t.Errorf("the rules page's EUR threshold reads %q, want %q", got, threshold)
		}
		if got := text(rules.doc.Find(`[data-testid="policy-limit"][data-currency="EUR"] td`)); got != limit {
			t.Errorf("the rules page's EUR daily limit reads %q, want %q", got, limit)
		}
	}
	// The browser's language first.
	reads(english, "€500.00", "€3,000.00", "€100.00")
	// Then the member's choice, whatever the browser says.
	if r := sup.post("/account/numbers", url.Values{"_csrf": {sup.csrfToken()}, "numbers": {"de-DE"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing de-DE: %d", r.resp.StatusCode)
	}
	reads(english, "500,00 €", "3.000,00 €", "100,00 €")
}
