package handlers_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/approvals"
	"ordercare/internal/staff"
)

// A change sent after approval shows in the audit trail and its CSV with
// the agent who asked for it and the supervisor who approved it (who also
// sent it, so the log's actor alone would name only the approver).
func TestAuditTrailNamesTheRequesterAndTheApprover(t *testing.T) {
	t.Parallel()
	a, _, req := newHeldRefund(t)
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.decide(req.ID, "approve", "Checked the return", nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.resp.StatusCode)
	}
	sent := a.request(req.ID)
	if sent.Status != approvals.StatusExecuted || sent.AttemptID == "" {
		t.Fatalf("request after approval: %+v", sent)
	}
	aud := a.signedIn(staff.RoleAuditor)
	page := aud.get("/audit", nil)
	row := page.doc.Find(`[data-testid="audit-row"][data-attempt-id="` + sent.AttemptID + `"]`)
	if row.Length() != 1 {
		t.Fatalf("the approved refund's attempt is not listed: %s", text(page.testid("audit-rows")))
	}
	if got, want := text(row.Find(`[data-testid="audit-requester"]`)), "agent@example.com"; got != want {
		t.Errorf("requested by %q; want %q", got, want)
	}
	if got, want := text(row.Find(`[data-testid="audit-approver"]`)), "supervisor@example.com"; got != want {
		t.Errorf("approved by %q; want %q", got, want)
	}

	r := aud.get("/audit/export.csv", nil)
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("CSV: %v, %d records", err, len(recs))
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[col["attempt_id"]] != sent.AttemptID {
			continue
		}
		found = true
		if rec[col["requested_by"]] != "agent@example.com" || rec[col["approved_by"]] != "supervisor@example.com" ||
			rec[col["staff_email"]] != "supervisor@example.com" {
			t.Errorf("CSV row: requested_by %q, approved_by %q, staff_email %q", rec[col["requested_by"]], rec[col["approved_by"]], rec[col["staff_email"]])
		}
	}
	if !found {
		t.Fatal("the approved refund is not in the CSV")
	}
}
