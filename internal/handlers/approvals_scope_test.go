package handlers_test

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// TestApprovalShowsWhatIsDecided: the approver reads, in the list and on
// the request's page, which lines and quantities the refund sends (or
// that it is an amount only), the customer, the agent's reason and
// ticket, and the effect. The agent typed a quantity on the refund form
// without choosing a mode, so the request is for that line only.
func TestApprovalShowsWhatIsDecided(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id, _ := a.capturedOrder(orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: []omclient.OrderLine{
		physical("TV-1", "Television", 2, 40000, 0, 1900), physical("CA-1", "Cable", 1, 2000, 0, 1900)}})
	ag := a.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	v := ag.fill(path, map[string]string{lineName(0, "quantity"): "2", "ticket": "HD-7"})
	v.Del("mode")
	if r := ag.postForm(path, v); r.resp.StatusCode != 303 {
		t.Fatalf("status %d: %s", r.resp.StatusCode, text(r.testid("error-summary")))
	}
	req := a.onlyRequest(id)
	if req.Amount != 80000 {
		t.Fatalf("request for %d, want 80000 (the two televisions typed, not every line)", req.Amount)
	}
	// A second request on another order, of an amount only.
	other := a.bigOrder(true)
	a.refund(ag, other, "600,00", nil)

	sup := a.signedIn(staff.RoleSupervisor)
	list := sup.get("/approvals", nil)
	row := list.doc.Find(`[data-testid="approval-row"][data-approval-id="` + req.ID + `"]`)
	if row.Length() != 1 {
		t.Fatalf("request %s not listed", req.ID)
	}
	if got := text(row.Find(`[data-testid="approval-line"]`)); got != "2 × Television €800.00" || row.Find(`[data-testid="approval-line"]`).Length() != 1 {
		t.Errorf("listed lines %q, want one: 2 × Television €800.00", got)
	}
	if got := text(row.Find(`[data-testid="approval-customer"]`)); got != "Anna Lindqvist" {
		t.Errorf("listed customer %q", got)
	}
	if got := text(row.Find(`[data-testid="approval-reason"]`)); got != "Customer request · ticket HD-7" {
		t.Errorf("listed reason %q", got)
	}
	if got := text(row.Find(`[data-testid="approval-effect-text"]`)); got != "Refunds €800.00 to the customer" {
		t.Errorf("listed effect %q", got)
	}
	amountOnly := list.doc.Find(`[data-testid="approval-row"][data-approval-id="` + a.onlyRequest(other).ID + `"]`)
	if got := text(amountOnly.Find(`[data-testid="approval-scope-summary"]`)); got != "amount only, no lines" ||
		amountOnly.Find(`[data-testid="approval-scope"]`).AttrOr("data-amount-only", "") != "true" {
		t.Errorf("an amount-only request is listed as %q", got)
	}

	page := sup.get("/approvals/"+req.ID, nil)
	lines := page.doc.Find(`[data-testid="approval-request"] [data-testid="approval-line"]`)
	var cells []string
	lines.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, text(td)) })
	if lines.Length() != 1 || strings.Join(cells, "|") != "TV-1|Television|2|€800.00" {
		t.Errorf("page lines %q", cells)
	}
	for tid, want := range map[string]string{"approval-customer": "Anna Lindqvist", "approval-reason": "Customer request",
		"approval-ticket": "HD-7", "approval-effect-text": "Refunds €800.00 to the customer"} {
		if got := text(page.doc.Find(`[data-testid="approval-request"] [data-testid="` + tid + `"]`)); got != want {
			t.Errorf("page %s %q, want %q", tid, got, want)
		}
	}
	if got := text(page.testid("effect-refunded")); !strings.Contains(got, "800,00") {
		t.Errorf("the effect table reads %q", got)
	}
	op := sup.get("/approvals/"+a.onlyRequest(other).ID, nil)
	if got := text(op.doc.Find(`[data-testid="approval-request"] [data-testid="approval-scope-summary"]`)); got != "Amount only, no lines" {
		t.Errorf("amount-only page says %q", got)
	}
}
