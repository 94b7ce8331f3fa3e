package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/approvals"
	"ordercare/internal/staff"
)

// TestRejectionReachesTheRequester: a supervisor rejects an agent's 600 €
// refund with a comment; the agent's navigation counts one new decision,
// their start page shows the rejection with the comment, and having been
// shown it, neither does again. The order page shows the comment too.
func TestRejectionReachesTheRequester(t *testing.T) {
	t.Parallel()
	a, id, req := newHeldRefund(t)
	ag := a.signedIn(staff.RoleAgent)
	if home := ag.get("/", nil); home.testid("nav-decisions").Length() != 0 || home.testid("home-decision").Length() != 0 {
		t.Fatal("a decision is announced before anyone decided")
	}
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.decide(req.ID, "reject", "Customer kept the TV, see HD-42", nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reject: %d %s", r.resp.StatusCode, text(r.doc.Find("main")))
	}

	orderPage := ag.get("/orders/"+id, nil)
	if got := text(orderPage.testid("closed-approval-comment")); !strings.Contains(got, "Customer kept the TV, see HD-42") {
		t.Fatalf("order page comment: %q", got)
	}
	if got := text(orderPage.testid("nav-decisions")); got != "1 new decision" {
		t.Fatalf("navigation: %q, want 1 new decision", got)
	}
	home := ag.get("/", nil)
	d := home.testid("home-decision")
	if d.Length() != 1 || d.AttrOr("data-status", "") != string(approvals.StatusRejected) ||
		!strings.Contains(text(d), "Rejected by supervisor@example.com") ||
		text(d.Find(`[data-testid="home-decision-comment"]`)) != "Comment: “Customer kept the TV, see HD-42”" {
		t.Fatalf("home decision: %d %q", d.Length(), text(d))
	}
	if home.testid("nav-decisions").Length() != 0 {
		t.Fatal("the navigation still counts the decision shown on this page")
	}
	if again := ag.get("/", nil); again.testid("home-decision").Length() != 0 || again.testid("nav-decisions").Length() != 0 {
		t.Fatal("the decision is shown again after it was seen")
	}
	// The supervisor decided; nothing of theirs was decided.
	if sh := sup.get("/", nil); sh.testid("home-decision").Length() != 0 || sh.testid("nav-decisions").Length() != 0 {
		t.Fatal("the decider is told about a decision on someone else's request")
	}
}

// TestApprovalAndExpiryReachTheRequester: an approved-and-sent refund and
// an expired one both reach the agent's start page.
func TestApprovalAndExpiryReachTheRequester(t *testing.T) {
	t.Parallel()
	a, _, req := newHeldRefund(t)
	other := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	a.refund(ag, other, "700,00", nil)
	late := a.onlyRequest(other)
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.decide(req.ID, "approve", "return received", nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.resp.StatusCode)
	}
	a.offset.Store(int64(73 * 60 * 60 * 1e9))
	if _, err := a.approvals.ExpireDue(t.Context()); err != nil {
		t.Fatal(err)
	}
	home := ag.get("/", nil)
	got := map[string]string{}
	home.testid("home-decision").Each(func(_ int, s *goquery.Selection) {
		got[s.AttrOr("data-approval-id", "")] = s.AttrOr("data-status", "")
	})
	if got[req.ID] != string(approvals.StatusExecuted) || got[late.ID] != string(approvals.StatusExpired) || len(got) != 2 {
		t.Fatalf("home decisions: %v", got)
	}
}

// TestApprovalBadgeCountsWhatTheMemberMayDecide: the supervisor's own
// request is not in their count, nor is the request of an admin who reset
// their password this month; another supervisor counts both.
func TestApprovalBadgeCountsWhatTheMemberMayDecide(t *testing.T) {
	t.Parallel()
	a, _, agentReq := newHeldRefund(t)
	sup := a.signedIn(staff.RoleSupervisor)
	a.refund(sup, a.bigOrder(true), "600,00", nil)
	adm := a.signedIn(staff.RoleAdmin)
	a.refund(adm, a.bigOrder(true), "600,00", nil)
	// The admin resets the first supervisor's password: the admin's
	// request is no longer theirs to decide.
	if r := adm.post("/staff/"+strconv.FormatInt(a.staff[staff.RoleSupervisor], 10)+"/password", url.Values{"_csrf": {adm.csrfToken()}, "password": {"a fresh password 1"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d %s", r.resp.StatusCode, text(r.doc.Find("main")))
	}
	sup, ok := a.signInAs("supervisor@example.com", "a fresh password 1")
	if !ok {
		t.Fatal("the supervisor cannot sign in with the new password")
	}
	home := sup.get("/", nil)
	if got := text(home.testid("approvals-count")); got != "1" {
		t.Fatalf("supervisor's badge %q, want 1 (only the agent's request)", got)
	}
	w := home.testid("home-approval")
	if w.Length() != 1 || w.AttrOr("data-approval-id", "") != agentReq.ID {
		t.Fatalf("supervisor's home lists %d waiting requests: %q", w.Length(), text(w))
	}
	sup2 := a.signedIn(secondSupervisor)
	if got := text(sup2.get("/", nil).testid("approvals-count")); got != "3" {
		t.Fatalf("second supervisor's badge %q, want 3", got)
	}
	if ag := a.signedIn(staff.RoleAgent); ag.get("/", nil).testid("approvals-count").Length() != 0 {
		t.Fatal("an agent sees a count of requests to decide")
	}
}

// TestSupervisorHomeShowsTheReviewQueue: a change sent on approval waits
// for review, and the supervisor's start page says so and lists it; an
// agent's start page has neither section.
func TestSupervisorHomeShowsTheReviewQueue(t *testing.T) {
	t.Parallel()
	a, _, req := newHeldRefund(t)
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.decide(req.ID, "approve", "return received", nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.resp.StatusCode)
	}
	home := a.signedIn(secondSupervisor).get("/", nil)
	if got := text(home.testid("home-review-pending")); !strings.HasPrefix(got, "1 money change not reviewed yet") {
		t.Fatalf("review pending: %q", got)
	}
	if it := home.testid("home-review-item"); it.Length() != 1 || it.AttrOr("data-attempt-id", "") != a.request(req.ID).AttemptID {
		t.Fatalf("review items: %d %q", it.Length(), text(it))
	}
	if home.testid("home-approvals-empty").Length() != 1 {
		t.Fatal("the supervisor's home does not say that no request waits")
	}
	ag := a.signedIn(staff.RoleAgent).get("/", nil)
	if ag.testid("home-review").Length() != 0 || ag.testid("home-approvals").Length() != 0 {
		t.Fatal("an agent's home shows the approvals or review sections")
	}
}
