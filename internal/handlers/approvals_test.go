package handlers_test

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// TestApprovalRefundAboveThresholdIsHeld: a refund above the threshold is
// recorded as a request and nothing reaches the provider; the agent sees
// "Waiting for approval" on the order page, with a withdraw button. The
// same form again makes no second request; a refund below the threshold
// goes through as before.
func TestApprovalRefundAboveThresholdIsHeld(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	applied, attempts, sentBefore := a.applied(id), len(a.attempts(id)), a.sent.Load()

	path := formPath(id, "refund")
	form := ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": "600,00", "ticket": "HD-42"})
	r := ag.postForm(path, form)
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/orders/"+id {
		t.Fatalf("status %d to %q, want 303 to the order page: %s", r.resp.StatusCode, r.resp.Header.Get("Location"), text(r.testid("error-summary")))
	}
	if n := a.sent.Load() - sentBefore; n != 0 {
		t.Fatalf("%d change requests reached the provider, want none", n)
	}
	a.expectNoChange(id, applied, attempts)
	if o := a.sandboxOrder(id); o.RefundedAmount != 0 || len(o.Refunds) != 0 {
		t.Fatalf("the sandbox refunded %d", o.RefundedAmount)
	}
	req := a.onlyRequest(id)
	if req.Status != approvals.StatusPending || req.Amount != 60000 || req.Reason != "Customer request" || req.Ticket != "HD-42" ||
		req.RequestedBy.Email != "agent@example.com" {
		t.Fatalf("request %+v", req)
	}
	page := ag.follow(r)
	flash := text(page.testid("flash"))
	if !strings.HasPrefix(flash, "Waiting for approval: refund of 600,00 € on Order") || !strings.Contains(flash, "Refunds of more than 500,00 € need") ||
		!strings.Contains(flash, "you can withdraw it from the order page") {
		t.Fatalf("confirmation %q", flash)
	}
	item := page.doc.Find(`[data-testid="open-approval"][data-approval-id="` + req.ID + `"]`)
	if item.Length() != 1 || !strings.Contains(text(page.testid("order-approvals")), "Waiting for approval") ||
		item.Find(`[data-testid="withdraw-approval"]`).Length() != 1 || !strings.Contains(text(item), "€600.00") {
		t.Fatalf("no waiting request with a withdraw button on the order page: %q", text(page.testid("order-approvals")))
	}

	// The same form again (a double click): the same request, nothing sent.
	again := ag.follow(ag.postForm(path, form))
	if !strings.Contains(text(again.testid("flash")), "no second request was made") || len(a.requests(id)) != 1 {
		t.Fatalf("resubmit: %q, %d requests", text(again.testid("flash")), len(a.requests(id)))
	}

	// Below the threshold: sent at once, as before (on another order: on
	// this one the waiting 600.00 EUR counts against the threshold too,
	// see TestApprovalSplitRefundsAreHeld).
	small := a.bigOrder(true)
	r = a.refund(ag, small, "100,00", nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("small refund: status %d", r.resp.StatusCode)
	}
	if o := a.sandboxOrder(small); o.RefundedAmount != 10000 || len(a.requests(small)) != 0 || len(a.requests(id)) != 1 {
		t.Fatalf("small refund: refunded %d, %d requests", o.RefundedAmount, len(a.requests(small)))
	}
	if got := a.steps(id, req.ID); strings.Join(got, ",") != "requested" {
		t.Fatalf("audit steps %v, want [requested]", got)
	}
}

// TestApprovalHeldInPlaceWithHTMX: from the order page's form (htmx) a
// held refund replaces the order page in place, with the confirmation,
// and the page loads its approval panel.
func TestApprovalHeldInPlaceWithHTMX(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	r := a.refund(ag, id, "600,00", htmxHeaders(a.ordersApp, id))
	if r.resp.StatusCode != http.StatusOK || r.resp.Header.Get("HX-Retarget") != "#order-page" {
		t.Fatalf("status %d, retarget %q", r.resp.StatusCode, r.resp.Header.Get("HX-Retarget"))
	}
	if !strings.HasPrefix(text(r.testid("flash")), "Waiting for approval: refund of 600,00 €") {
		t.Fatalf("confirmation %q", text(r.testid("flash")))
	}
	if r.doc.Find(`#order-approvals[hx-get="/orders/`+id+`/approvals"]`).Length() != 1 {
		t.Fatal("the refreshed order page does not load its approval panel")
	}
	panel := ag.htmx("/orders/"+id+"/approvals", "")
	if panel.testid("open-approval").Length() != 1 {
		t.Fatalf("panel: %s", panel.body)
	}
	if a.sent.Load() != 0 {
		t.Fatal("the held refund reached the provider")
	}
}

// TestApprovalCancelAboveThresholdIsHeld: cancelling an order above the
// threshold waits for approval; the order stays authorized.
func TestApprovalCancelAboveThresholdIsHeld(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(false)
	ag := a.signedIn(staff.RoleAgent)
	path := formPath(id, "cancel")
	page := ag.follow(ag.postForm(path, ag.fill(path, nil)))
	if !strings.HasPrefix(text(page.testid("flash")), "Waiting for approval: cancellation of an order of 1.000,00 €") {
		t.Fatalf("confirmation %q", text(page.testid("flash")))
	}
	if o := a.sandboxOrder(id); o.Status != omclient.StatusAuthorized || a.sent.Load() != 0 {
		t.Fatalf("order %s, %d change requests sent", o.Status, a.sent.Load())
	}
	req := a.onlyRequest(id)
	if req.Op != omclient.OpCancel || req.Amount != 100000 {
		t.Fatalf("request %+v", req)
	}

	// Approved by a supervisor: cancelled once.
	sup := a.signedIn(staff.RoleSupervisor)
	done := sup.follow(sup.decide(req.ID, "approve", "Customer called twice, confirmed", nil))
	if o := a.sandboxOrder(id); o.Status != omclient.StatusCancelled {
		t.Fatalf("after approval the order is %s", o.Status)
	}
	if !strings.HasPrefix(text(done.testid("flash")), "Approved and sent: cancellation") {
		t.Fatalf("confirmation %q", text(done.testid("flash")))
	}
}

// TestApprovalNobodyApprovesTheirOwn: an agent may not approve at all (the
// route), a supervisor not their own request (a message, nothing sent);
// an admin approves a supervisor's request, and the path is on record.
func TestApprovalNobodyApprovesTheirOwn(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	sup := a.signedIn(staff.RoleSupervisor)
	a.refund(sup, id, "600,00", nil)
	req := a.onlyRequest(id)

	ag := a.signedIn(staff.RoleAgent)
	if r := ag.decide(req.ID, "approve", "ok", nil); r.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent approving: status %d, want 403", r.resp.StatusCode)
	}
	// The requester sees the note instead of the forms, and a forged POST
	// is refused with it.
	own := sup.get("/approvals/"+req.ID, nil)
	if own.testid("decide-form").Length() != 0 || !strings.Contains(text(own.testid("approval-own")), "You made this request; another supervisor or an admin must decide it.") {
		t.Fatalf("requester's page: %q", text(own.testid("approval-page")))
	}
	r := sup.decide(req.ID, "approve", "Looks fine to me", nil)
	if r.resp.StatusCode != http.StatusForbidden || !strings.Contains(text(r.testid("approval-notice")), "you made this request") {
		t.Fatalf("own approval: status %d, notice %q", r.resp.StatusCode, text(r.testid("approval-notice")))
	}
	if a.request(req.ID).Status != approvals.StatusPending || a.sent.Load() != 0 {
		t.Fatal("the requester's own approval changed something")
	}

	adm := a.signedIn(staff.RoleAdmin)
	page := adm.follow(adm.decide(req.ID, "approve", "Checked the return slip", nil))
	o := a.sandboxOrder(id)
	if len(o.Refunds) != 1 || o.RefundedAmount != 60000 {
		t.Fatalf("after the admin's approval: %d refunds, %d refunded", len(o.Refunds), o.RefundedAmount)
	}
	got := a.request(req.ID)
	if got.Status != approvals.StatusExecuted || got.ResourceID != o.Refunds[0].RefundID || got.DecidedBy.Email != "admin@example.com" {
		t.Fatalf("request %+v", got)
	}
	if want := "Approved and sent: refund of €600.00 on Order"; !strings.HasPrefix(text(page.testid("flash")), want) ||
		!strings.Contains(text(page.testid("flash")), "refund "+got.ResourceID) {
		t.Fatalf("confirmation %q", text(page.testid("flash")))
	}
	if page.testid("approval-result").AttrOr("data-result", "") != "executed" || text(page.testid("approval-resource")) != got.ResourceID {
		t.Fatalf("result on the request's page: %q", text(page.testid("approval-result")))
	}
	a.expectSteps(id, req.ID, "requested,approved,executed")
	if n := page.testid("approval-step").Length(); n != 3 {
		t.Errorf("the request's page shows %d steps of its path, want 3", n)
	}
	// The sending attempt names the approval, requester and approver.
	at := a.lastAttempt(id)
	if at.Requested.Detail["approval_id"] != req.ID || at.Requested.Actor.Email != "admin@example.com" ||
		at.Requested.Detail["requested_by"] != "supervisor@example.com" || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("attempt %+v", at.Requested)
	}
	// The order's history shows the whole path.
	hist := text(adm.get("/orders/"+id, nil).testid("order-history"))
	for _, want := range []string{"Refund 600,00 € requested for approval", "Refund 600,00 € approved", "Checked the return slip",
		"Approved refund 600,00 € sent"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q: %s", want, hist)
		}
	}
}

// TestApprovalRaceSendsOnce: two supervisors approve the same request at
// the same moment: exactly one refund exists, the other is told who
// approved it.
func TestApprovalRaceSendsOnce(t *testing.T) {
	t.Parallel()
	a, id, req := newHeldRefund(t)

	members := []*agent{a.signedIn(staff.RoleSupervisor), a.signedIn(secondSupervisor)}
	answers := make([]answer, len(members))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, m := range members {
		wg.Go(func() {
			<-start
			answers[i] = m.decide(req.ID, "approve", "Approved by number "+string(rune('1'+i)), nil)
		})
	}
	close(start)
	wg.Wait()

	var won, lost int
	for _, r := range answers {
		switch r.resp.StatusCode {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict:
			lost++
			if n := text(r.testid("approval-notice")); !strings.HasPrefix(n, "Already approved by supervisor") {
				t.Errorf("the second approver reads %q", n)
			}
		default:
			t.Errorf("status %d: %s", r.resp.StatusCode, text(r.doc.Find("main")))
		}
	}
	if won != 1 || lost != 1 {
		t.Fatalf("%d approvals went through, %d were told it was taken; want 1 and 1", won, lost)
	}
	if o := a.sandboxOrder(id); len(o.Refunds) != 1 || o.RefundedAmount != 60000 {
		t.Fatalf("%d refunds of %d at the provider, want exactly one of 60000", len(o.Refunds), o.RefundedAmount)
	}
	a.expectSteps(id, req.ID, "requested,approved,executed")
}

// TestApprovalFailsWhenTheOrderChanged: everything is refunded elsewhere
// before the approval: the provider refuses the approved refund, the
// request is closed as failed with the provider's answer, nothing more is
// refunded.
func TestApprovalFailsWhenTheOrderChanged(t *testing.T) {
	t.Parallel()
	a, id, req := newHeldRefund(t)
	a.shopRefund(id, omclient.RefundRequest{RefundedAmount: 100000})

	sup := a.signedIn(staff.RoleSupervisor)
	before := sup.get("/approvals/"+req.ID, nil)
	if !strings.Contains(text(before.testid("approval-problem")), "only 0,00") {
		t.Errorf("the order beside the request does not warn: %q", text(before.testid("approval-order-state")))
	}
	page := sup.follow(sup.decide(req.ID, "approve", "Fine", nil))
	got := a.request(req.ID)
	if got.Status != approvals.StatusFailed || got.ErrorCode == "" {
		t.Fatalf("request %s, code %q; want failed with the provider's code", got.Status, got.ErrorCode)
	}
	if o := a.sandboxOrder(id); o.RefundedAmount != 100000 || len(o.Refunds) != 1 {
		t.Fatalf("refunded %d in %d refunds, want only the shop's", o.RefundedAmount, len(o.Refunds))
	}
	if !strings.Contains(text(page.testid("flash")), "refused it: the order changed") ||
		page.testid("approval-result").AttrOr("data-result", "") != "failed" || text(page.testid("approval-error-code")) != got.ErrorCode {
		t.Fatalf("page: %q / %q", text(page.testid("flash")), text(page.testid("approval-result")))
	}
	if page.testid("resend-form").Length() != 0 {
		t.Error("a failed request offers to send again")
	}
	a.expectSteps(id, req.ID, "requested,approved,executed")
	if at := a.lastAttempt(id); at.Completed.Outcome != audit.OutcomeRefused {
		t.Fatalf("attempt outcome %s", at.Completed.Outcome)
	}
}

// TestApprovalRejectWithdrawExpireSendNothing: the three ways a request
// closes without a decision to send; nothing reaches the provider, each
// path is on record and in the order's history.
func TestApprovalRejectWithdrawExpireSendNothing(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	// Three amounts: a second request identical to a waiting one would
	// need the agent's confirmation (the intent rule).
	for _, amount := range []string{"600,00", "610,00", "620,00"} {
		a.refund(ag, id, amount, nil)
	}
	rs := a.requests(id)
	if len(rs) != 3 {
		t.Fatalf("%d requests, want 3", len(rs))
	}
	slices.SortFunc(rs, func(x, y approvals.Request) int { return cmp.Compare(x.Amount, y.Amount) })
	rejected, withdrawn, expired := rs[0], rs[1], rs[2]

	sup := a.signedIn(staff.RoleSupervisor)
	page := sup.follow(sup.decide(rejected.ID, "reject", "No return received yet", nil))
	if !strings.HasPrefix(text(page.testid("flash")), "Rejected: refund of €600.00") || text(page.testid("approval-comment")) != "No return received yet" {
		t.Fatalf("after rejecting: %q", text(page.testid("flash")))
	}

	// Withdrawn from the order page's panel: back on the order page.
	r := ag.decide(withdrawn.ID, "withdraw", "", map[string][]string{"back": {"order"}})
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/orders/"+id {
		t.Fatalf("withdraw: status %d to %q", r.resp.StatusCode, r.resp.Header.Get("Location"))
	}
	// Only the requester withdraws.
	if r := sup.decide(expired.ID, "withdraw", "", nil); r.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("someone else withdrawing: status %d", r.resp.StatusCode)
	}

	// Past the time to live, loading the list closes it.
	a.offset.Store(int64(73 * time.Hour))
	list := sup.get("/approvals?status=decided", nil)
	if a.request(expired.ID).Status != approvals.StatusExpired {
		t.Fatalf("after the TTL the request is %s", a.request(expired.ID).Status)
	}
	if n := list.testid("approval-row").Length(); n != 3 {
		t.Fatalf("decided tab lists %d requests, want 3", n)
	}
	// An expired request cannot be approved any more.
	if r := sup.decide(expired.ID, "approve", "too late", nil); r.resp.StatusCode != http.StatusConflict ||
		!strings.HasPrefix(text(r.testid("approval-notice")), "Already expired at") {
		t.Fatalf("approving an expired request: %d %q", r.resp.StatusCode, text(r.testid("approval-notice")))
	}

	if a.sent.Load() != 0 || a.sandboxOrder(id).RefundedAmount != 0 {
		t.Fatalf("%d change requests reached the provider", a.sent.Load())
	}
	for _, c := range []struct {
		req  approvals.Request
		want string
	}{{rejected, "requested,rejected"}, {withdrawn, "requested,withdrawn"}, {expired, "requested,expired"}} {
		if s := strings.Join(a.steps(id, c.req.ID), ","); s != c.want {
			t.Errorf("request %s: audit steps %s, want %s", c.req.ID, s, c.want)
		}
	}
	order := ag.get("/orders/"+id, nil)
	hist := text(order.testid("order-history"))
	for _, want := range []string{"Refund 600,00 € rejected", "No return received yet", "Refund 610,00 € withdrawn",
		"Refund 620,00 €: approval request expired"} {
		if !strings.Contains(hist, want) {
			t.Errorf("history lacks %q: %s", want, hist)
		}
	}
	if order.testid("open-approval").Length() != 0 || order.testid("closed-approval").Length() != 3 {
		t.Errorf("order panel: %d open, %d closed; want 0 and 3", order.testid("open-approval").Length(), order.testid("closed-approval").Length())
	}
}

// TestApprovalDailyRefundLimit: two refunds under the threshold that
// together pass the agent's daily limit: the second waits for approval.
func TestApprovalDailyRefundLimit(t *testing.T) {
	t.Parallel()
	p := thresholdPolicy()
	p.DailyRefundLimits = map[string]int64{"EUR": 30000}
	a := newApprovalsApp(t, p)
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	if r := a.refund(ag, id, "200,00", nil); r.resp.StatusCode != http.StatusSeeOther || a.sandboxOrder(id).RefundedAmount != 20000 {
		t.Fatalf("first refund: status %d, refunded %d", r.resp.StatusCode, a.sandboxOrder(id).RefundedAmount)
	}
	// 150.00 (a second 200.00 would be a twin of the first, asking for a
	// confirmation before the limit is even looked at).
	page := ag.follow(a.refund(ag, id, "150,00", nil))
	if flash := text(page.testid("flash")); !strings.Contains(flash, "Waiting for approval") || !strings.Contains(flash, "daily limit of 300,00 €") {
		t.Fatalf("second refund: %q", flash)
	}
	if a.sandboxOrder(id).RefundedAmount != 20000 || len(a.requests(id)) != 1 {
		t.Fatal("the refund past the daily limit was sent")
	}
	// Another agent's allowance is their own: the supervisor's refund goes
	// (on another order: on this one the order's own total would hold it).
	other := a.bigOrder(true)
	if r := a.refund(a.signedIn(staff.RoleSupervisor), other, "200,00", nil); r.resp.StatusCode != http.StatusSeeOther || a.sandboxOrder(other).RefundedAmount != 20000 {
		t.Fatalf("another member's refund: status %d, refunded %d", r.resp.StatusCode, a.sandboxOrder(other).RefundedAmount)
	}
}

// TestApprovalBadInput: a missing or too long comment, a forged or
// malformed id, another agent's request: a clear message, nothing done,
// the typed comment kept.
func TestApprovalBadInput(t *testing.T) {
	t.Parallel()
	a, id, req := newHeldRefund(t)
	sup := a.signedIn(staff.RoleSupervisor)

	long := strings.Repeat("x", 600)
	for _, c := range []struct {
		name, action, comment, want string
	}{
		{"approve without comment", "approve", "", "Write a comment"},
		{"reject without comment", "reject", "   ", "Write a comment"},
		{"comment of 600 characters", "approve", long, "At most 500 characters (you typed 600)"},
		{"comment with a line break", "reject", "one\ntwo", "Use printable characters only"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := sup.decide(req.ID, c.action, c.comment, nil)
			if r.resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.resp.StatusCode)
			}
			if msg := fieldError(t, r, "comment"); !strings.Contains(msg, c.want) {
				t.Errorf("message %q, want %q", msg, c.want)
			}
			if kept := r.doc.Find(`textarea[name="comment"]`).Text(); kept != c.comment {
				t.Errorf("typed comment not kept: %q", kept)
			}
		})
	}
	for _, bad := range []string{"not-an-id", "00000000-0000-4000-8000-000000000000", "../../orders"} {
		if r := sup.decide(bad, "approve", "fine", nil); r.resp.StatusCode != http.StatusNotFound {
			t.Errorf("approving %q: status %d, want 404", bad, r.resp.StatusCode)
		}
	}
	if r := sup.get("/approvals/not-an-id", nil); r.resp.StatusCode != http.StatusNotFound || !strings.Contains(r.body, "is not an approval request") {
		t.Errorf("page of a malformed id: %d", r.resp.StatusCode)
	}
	if got := a.request(req.ID); got.Status != approvals.StatusPending || a.sent.Load() != 0 {
		t.Fatalf("bad input changed the request (%s) or sent something", got.Status)
	}
	a.expectSteps(id, req.ID, "requested")
}

// TestApprovalListAndNavigation: supervisors see the count in the
// navigation and every request; agents see only their own, and another
// agent's request is not found; the audit events page filters approvals.
func TestApprovalListAndNavigation(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	a.refund(a.signedIn(staff.RoleAgent), id, "600,00", nil)
	a.refund(a.signedIn(staff.RoleSupervisor), id, "700,00", nil)
	rs := a.requests(id)
	if len(rs) != 2 {
		t.Fatalf("%d requests, want 2", len(rs))
	}
	if rs[0].RequestedBy.Email != "agent@example.com" {
		rs[0], rs[1] = rs[1], rs[0] // made at the same instant: in id order
	}

	sup := a.signedIn(secondSupervisor)
	home := sup.get("/", nil)
	if got := text(home.testid("nav-approvals")); got != "Approvals 2 waiting" || text(home.testid("approvals-count")) != "2" {
		t.Fatalf("navigation %q", got)
	}
	list := sup.get("/approvals", nil)
	if n := list.testid("approval-row").Length(); n != 2 {
		t.Fatalf("waiting tab lists %d, want 2", n)
	}
	row := list.doc.Find(`[data-testid="approval-row"][data-approval-id="` + rs[0].ID + `"]`)
	for _, want := range []string{"Refund", "€600.00", "agent@example.com", "expires in 3 days", "Refunds of more than €500.00", "Waiting for approval"} {
		if !strings.Contains(text(row), want) {
			t.Errorf("the agent's request's row lacks %q: %q", want, text(row))
		}
	}
	if list.doc.Find(`[data-testid="approval-tabs"] a[aria-current="page"]`).AttrOr("data-tab", "") != "waiting" {
		t.Error("the waiting tab is not marked current")
	}

	ag := a.signedIn(staff.RoleAgent)
	mine := ag.get("/approvals?status=all", nil)
	if mine.testid("approval-row").Length() != 1 || mine.testid("approval-row").AttrOr("data-approval-id", "") != rs[0].ID {
		t.Fatalf("the agent lists %d requests, want only their own", mine.testid("approval-row").Length())
	}
	if mine.testid("approvals-count").Length() != 0 || mine.testid("nav-approvals").Length() != 1 {
		t.Error("the agent's navigation: want the Approvals item without a count")
	}
	if r := ag.get("/approvals/"+rs[1].ID, nil); r.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("an agent opening another's request: status %d, want 404", r.resp.StatusCode)
	}
	detail := ag.get("/approvals/"+rs[0].ID, nil)
	if detail.testid("withdraw-form").Length() != 1 || detail.testid("decide-form").Length() != 0 {
		t.Fatal("the requester's page: want withdraw, no decision form")
	}
	// The order beside the request, read now.
	if minor := minorOf(detail, `[data-testid="now-captured"]`); minor != "100000" {
		t.Errorf("captured beside the request: %q", minor)
	}

	events := sup.get("/audit/events?kind=approval", nil)
	if events.doc.Find(`option[value="approval"][selected]`).Length() != 1 {
		t.Error("the events page's kind filter has no selected approval kind")
	}
	if !strings.Contains(text(events.doc.Find("main")), "Requested approval: refund of €600.00") {
		t.Errorf("events page: %s", text(events.doc.Find("main")))
	}
}

// TestApprovalSendAgain: an approval whose change could not be sent (the
// provider unreadable) stays approved; the page says so and offers "Send
// again", which sends it once with the same key.
func TestApprovalSendAgain(t *testing.T) {
	t.Parallel()
	a, id, req := newHeldRefund(t)
	sup := a.signedIn(staff.RoleSupervisor)

	a.unreachable.Store(1)
	r := sup.decide(req.ID, "approve", "Return received", nil)
	if r.resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(text(r.testid("approval-notice")), "Approved, but not sent") {
		t.Fatalf("status %d, notice %q", r.resp.StatusCode, text(r.testid("approval-notice")))
	}
	if got := a.request(req.ID); got.Status != approvals.StatusApproved || a.sent.Load() != 0 {
		t.Fatalf("request %s, %d sent; want approved and nothing sent", got.Status, a.sent.Load())
	}
	if r.testid("resend-form").Length() != 1 || r.testid("decide-form").Length() != 0 {
		t.Fatal("the page does not offer to send again")
	}
	// The requester may not send it, a supervisor may.
	if r := a.signedIn(staff.RoleAgent).decide(req.ID, "resend", "", nil); r.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("agent sending again: status %d", r.resp.StatusCode)
	}
	page := sup.follow(sup.decide(req.ID, "resend", "", nil))
	if o := a.sandboxOrder(id); len(o.Refunds) != 1 || o.RefundedAmount != 60000 {
		t.Fatalf("%d refunds of %d", len(o.Refunds), o.RefundedAmount)
	}
	if a.request(req.ID).Status != approvals.StatusExecuted || !strings.HasPrefix(text(page.testid("flash")), "Approved and sent") {
		t.Fatalf("after sending again: %s, %q", a.request(req.ID).Status, text(page.testid("flash")))
	}
	// Sending a settled request again is refused with its state.
	if r := sup.decide(req.ID, "resend", "", nil); r.resp.StatusCode != http.StatusConflict || a.sandboxOrder(id).RefundedAmount != 60000 {
		t.Fatalf("resend of an executed request: status %d", r.resp.StatusCode)
	}
}

// TestApprovalStaleFormIsNotHeld: a refund form older than the order (a
// refund made elsewhere meanwhile) is answered as submitChange answers
// it, the typed amount kept, and no request is made.
func TestApprovalStaleFormIsNotHeld(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	path := formPath(id, "refund")
	form := ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": "600,00"})
	a.shopRefund(id, omclient.RefundRequest{RefundedAmount: 1000})
	r := ag.postForm(path, form)
	if kind, msg, _, _ := outcome(r); r.resp.StatusCode != http.StatusConflict || kind != "stale" || !strings.Contains(msg, "Not sent: the order has changed") {
		t.Fatalf("status %d, outcome %s %q", r.resp.StatusCode, kind, msg)
	}
	if v := fieldValue(r, "refunded_amount"); v != "600,00" {
		t.Fatalf("typed amount %q not kept", v)
	}
	if n := len(a.requests(id)); n != 0 {
		t.Fatalf("%d requests made from a stale form", n)
	}
}

// expectSteps fails unless request id's audit steps are want
// ("requested,approved,executed").
func (a *approvalsApp) expectSteps(orderID, id, want string) {
	a.t.Helper()
	if got := strings.Join(a.steps(orderID, id), ","); got != want {
		a.t.Fatalf("request %s: audit steps %s, want %s", id, got, want)
	}
}

// steps are request id's audit steps, oldest first ("requested", ...).
func (a *approvalsApp) steps(orderID, id string) []string {
	a.t.Helper()
	evs, err := a.h.Audit.ApprovalEvents(a.t.Context(), orderID)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		if e.Detail["approval_id"] == id {
			out = append(out, e.Detail["step"])
		}
	}
	return out
}
