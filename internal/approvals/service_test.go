package approvals

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
)

// env is the real thing: the sandbox over HTTP, the client, the pipeline
// (guarded by the policy), the audit log and admin.db in temp files, and a
// clock tests move.
type env struct {
	sb     *omsim.Sandbox
	client *omclient.Client // the provider's own door (its portal), past ordercare
	pipe   *orders.Service
	log    *audit.Log
	svc    *Service
	clock  *omsim.FakeClock
}

var (
	agent  = audit.Actor{StaffID: 3, Email: "agent@example.com", Role: "agent"}
	agent2 = audit.Actor{StaffID: 6, Email: "agent2@example.com", Role: "agent"}
	super1 = audit.Actor{StaffID: 4, Email: "super1@example.com", Role: "supervisor"}
	super2 = audit.Actor{StaffID: 5, Email: "super2@example.com", Role: "supervisor"}
	admin  = audit.Actor{StaffID: 1, Email: "admin@example.com", Role: "admin"}
)

// newEnv builds the env with the requests on backend be (dbtest.Each):
// the pipeline's own tables stay in its SQLite file.
func newEnv(t *testing.T, be dbtest.Backend, p Policy) *env {
	t.Helper()
	clock := omsim.NewFakeClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	pe := pipelinetest.New(t, pipelinetest.Options{Now: clock.Now})
	e := &env{sb: pe.Sandbox, client: pe.Client, pipe: pe.Orders, log: pe.Log, clock: clock}
	var err error
	if e.svc, err = Open(context.Background(), be.Open(t), pe.Log, pe.Orders, p, clock.Now); err != nil {
		t.Fatal(err)
	}
	e.pipe.SetGuard(e.svc.Guard)
	return e
}

// capturedOrder is an order of 100.00 EUR, captured in full by an agent.
func (e *env) capturedOrder(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	id, err := e.sb.CreateOrder(ctx, omsim.NewOrder{
		PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Coat", Quantity: 1, UnitPrice: 10000,
			TaxRate: 1900, TotalAmount: 10000, TotalTaxAmount: 1597}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.pipe.Apply(ctx, agent, orders.Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: uuid.NewString(),
		Reason: "shipped", Body: &omclient.CaptureRequest{CapturedAmount: 10000}})
	if err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture: %v %v", res.Outcome, err)
	}
	return id
}

func (e *env) order(t *testing.T, id string) *omclient.Order {
	t.Helper()
	o, err := e.pipe.GetOrder(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func refund(id string, amount int64) orders.Change {
	return orders.Change{Op: omclient.OpCreateRefund, OrderID: id, IdempotencyKey: uuid.NewString(), Reason: "Goods returned",
		Ticket: "T-1", Body: &omclient.RefundRequest{RefundedAmount: amount}}
}

// hold runs Check and Submit as the refund form does.
func (e *env) hold(t *testing.T, actor audit.Actor, id string, ch orders.Change) Request {
	t.Helper()
	ctx := context.Background()
	o := e.order(t, id)
	why, err := e.svc.Check(ctx, actor, o, ch)
	if err != nil || why == "" {
		t.Fatalf("Check = %q, %v; want a reason to hold", why, err)
	}
	r, created, err := e.svc.Submit(ctx, actor, o, ch, why)
	if err != nil || !created || r.Status != StatusPending {
		t.Fatalf("Submit = %+v, %v, %v", r, created, err)
	}
	return r
}

// steps lists the approval steps recorded for the order.
func (e *env) steps(t *testing.T, id string) []string {
	t.Helper()
	evs, err := e.log.ApprovalEvents(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Detail["step"])
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Approve is ApproveConfirmed without a confirmation.
func (s *Service) Approve(ctx context.Context, actor audit.Actor, id, comment string) (Request, orders.Result, error) {
	return s.ApproveConfirmed(ctx, actor, id, comment, "")
}

func TestRefundAboveThresholdWaitsAndIsSentOnceOnApproval(t *testing.T) {
	dbtest.Each(t, testRefundAboveThresholdWaitsAndIsSentOnceOnApproval)
}

func testRefundAboveThresholdWaitsAndIsSentOnceOnApproval(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 5000}})
	ctx := context.Background()
	id := e.capturedOrder(t)

	if why, err := e.svc.Check(ctx, agent, e.order(t, id), refund(id, 5000)); err != nil || why != "" {
		t.Fatalf("a refund at the threshold must go straight through, got %q %v", why, err)
	}
	ch := refund(id, 6000)
	r := e.hold(t, agent, id, ch)
	if n := len(e.order(t, id).Refunds); n != 0 {
		t.Fatalf("a held refund reached the provider: %d refunds", n)
	}
	// The same form submitted again is the same request.
	again, created, err := e.svc.Submit(ctx, agent, e.order(t, id), ch, "x")
	if err != nil || created || again.ID != r.ID {
		t.Fatalf("resubmit: %+v created=%v %v", again, created, err)
	}
	if n, _ := e.svc.PendingCount(ctx); n != 1 {
		t.Fatalf("pending = %d, want 1", n)
	}

	if _, _, err := e.svc.Approve(ctx, agent, r.ID, "ok"); !errors.Is(err, ErrNotApprover) {
		t.Fatalf("an agent approved: %v", err)
	}
	// A supervisor's own request: not even an admin's role lets them approve it.
	own := e.hold(t, super1, e.capturedOrder(t), refund(id, 7000))
	_ = own
	if _, _, err := e.svc.Approve(ctx, super1, own.ID, "mine"); !errors.Is(err, ErrOwnRequest) {
		t.Fatalf("a supervisor approved their own request: %v", err)
	}
	if _, _, err := e.svc.Approve(ctx, super2, r.ID, "  "); !errors.Is(err, ErrCommentRequired) {
		t.Fatalf("approval without a comment: %v", err)
	}

	// Two supervisors and an admin approve at the same moment, the admin
	// through another instance on the same database: one refund.
	other, err := Open(ctx, be.Open(t), e.log, e.pipe, e.svc.Policy(), e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make([]error, 3)
	for i, a := range []audit.Actor{super1, super2, admin} {
		svc := []*Service{e.svc, e.svc, other}[i]
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, results[i] = svc.Approve(ctx, a, r.ID, "checked the return")
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range results {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrNotPending):
			t.Fatalf("approve: %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d approvals succeeded, want 1", wins)
	}
	o := e.order(t, id)
	if len(o.Refunds) != 1 || o.RefundedAmount != 6000 {
		t.Fatalf("refunds after approval: %d of %d, want 1 of 6000", len(o.Refunds), o.RefundedAmount)
	}
	got, err := e.svc.Get(ctx, r.ID)
	if err != nil || got.Status != StatusExecuted || got.ResourceID == "" || got.AttemptID == "" {
		t.Fatalf("request after approval: %+v %v", got, err)
	}
	if got.DecidedBy.Email == "" || got.Comment != "checked the return" {
		t.Fatalf("decision not recorded: %+v", got)
	}
	// The attempt that sent it is the approver's, and names the request.
	a, err := e.log.Attempt(ctx, got.AttemptID)
	if err != nil || a.Requested.Detail["approval_id"] != r.ID || a.Requested.Actor.Email != got.DecidedBy.Email ||
		a.Requested.IdempotencyKey != ch.IdempotencyKey || a.Outcome() != audit.OutcomeSucceeded {
		t.Fatalf("attempt: %+v %v", a.Requested, err)
	}
	if s := e.steps(t, id); !equal(s, []string{"requested", "approved", "executed"}) {
		t.Fatalf("steps = %v", s)
	}
	if _, _, err := e.svc.Resend(ctx, super2, r.ID); !errors.Is(err, ErrNotPending) {
		t.Fatalf("an executed request was sent again: %v", err)
	}
	if n := len(e.order(t, id).Refunds); n != 1 {
		t.Fatalf("%d refunds, want 1", n)
	}
	// The approved refund does not count against the approver's own
	// daily allowance, nor the agent's.
	for _, who := range []int64{agent.StaffID, got.DecidedBy.StaffID} {
		totals, err := e.log.RefundTotals(ctx, who, startOfDay(e.clock.Now()))
		if err != nil || totals["EUR"] != 0 {
			t.Fatalf("refund totals of %d = %v %v", who, totals, err)
		}
	}
}

func TestApprovalAfterTheOrderChangedFailsWithTheProvidersAnswer(t *testing.T) {
	dbtest.Each(t, testApprovalAfterTheOrderChangedFailsWithTheProvidersAnswer)
}

func testApprovalAfterTheOrderChangedFailsWithTheProvidersAnswer(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 5000}})
	ctx := context.Background()
	id := e.capturedOrder(t)
	r := e.hold(t, agent, id, refund(id, 6000))
	// Meanwhile everything is refunded in the provider's own portal.
	if _, err := omclienttest.Created(ctx, e.client, id, "", &omclient.RefundRequest{RefundedAmount: 10000}); err != nil {
		t.Fatalf("refund elsewhere: %v", err)
	}
	got, res, err := e.svc.Approve(ctx, super1, r.ID, "ok")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusFailed || res.Outcome != audit.OutcomeRefused || got.ErrorCode == "" {
		t.Fatalf("approval on a refunded order: status %s outcome %s code %q", got.Status, res.Outcome, got.ErrorCode)
	}
	if o := e.order(t, id); len(o.Refunds) != 1 || o.RefundedAmount != 10000 {
		t.Fatalf("refunds: %d, %d", len(o.Refunds), o.RefundedAmount)
	}
	if s := e.steps(t, id); !equal(s, []string{"requested", "approved", "executed"}) {
		t.Fatalf("steps = %v", s)
	}
}

func TestRejectWithdrawAndExpirySendNothing(t *testing.T) {
	dbtest.Each(t, testRejectWithdrawAndExpirySendNothing)
}

func testRejectWithdrawAndExpirySendNothing(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 5000}, TTL: time.Hour})
	ctx := context.Background()

	rejected := e.capturedOrder(t)
	r := e.hold(t, agent, rejected, refund(rejected, 9000))
	if _, err := e.svc.Reject(ctx, agent, r.ID, "no"); !errors.Is(err, ErrNotApprover) {
		t.Fatalf("agent rejected: %v", err)
	}
	if got, err := e.svc.Reject(ctx, super1, r.ID, "customer kept the goods"); err != nil || got.Status != StatusRejected {
		t.Fatalf("reject: %+v %v", got, err)
	}
	if got, _, err := e.svc.Approve(ctx, super2, r.ID, "ok"); !errors.Is(err, ErrNotPending) || got.Status != StatusRejected ||
		got.DecidedBy.Email != super1.Email {
		t.Fatalf("approve after reject: %+v %v", got, err)
	}

	withdrawn := e.capturedOrder(t)
	w := e.hold(t, agent, withdrawn, refund(withdrawn, 9000))
	if _, err := e.svc.Withdraw(ctx, agent2, w.ID, ""); !errors.Is(err, ErrNotRequester) {
		t.Fatalf("someone else withdrew: %v", err)
	}
	if got, err := e.svc.Withdraw(ctx, agent, w.ID, "typed the wrong amount"); err != nil || got.Status != StatusWithdrawn {
		t.Fatalf("withdraw: %+v %v", got, err)
	}

	expired := e.capturedOrder(t)
	x := e.hold(t, agent, expired, refund(expired, 9000))
	e.clock.Advance(59 * time.Minute)
	if n, err := e.svc.ExpireDue(ctx); err != nil || n != 0 {
		t.Fatalf("expired early: %d %v", n, err)
	}
	e.clock.Advance(2 * time.Minute)
	if n, _ := e.svc.PendingCount(ctx); n != 0 {
		t.Fatalf("an expired request still counts as pending: %d", n)
	}
	if _, _, err := e.svc.Approve(ctx, super1, x.ID, "late"); !errors.Is(err, ErrNotPending) {
		t.Fatalf("approved after expiry: %v", err)
	}
	if got, _ := e.svc.Get(ctx, x.ID); got.Status != StatusExpired {
		t.Fatalf("status after expiry = %s", got.Status)
	}

	for id, want := range map[string][]string{
		rejected: {"requested", "rejected"}, withdrawn: {"requested", "withdrawn"}, expired: {"requested", "expired"},
	} {
		if o := e.order(t, id); len(o.Refunds) != 0 {
			t.Fatalf("order %s has %d refunds", id, len(o.Refunds))
		}
		if s := e.steps(t, id); !equal(s, want) {
			t.Fatalf("steps of %s = %v, want %v", id, s, want)
		}
	}
}

func TestCancelOfALargeOrderWaits(t *testing.T) {
	dbtest.Each(t, testCancelOfALargeOrderWaits)
}

func testCancelOfALargeOrderWaits(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 5000}})
	ctx := context.Background()
	id, err := e.sb.CreateOrder(ctx, omsim.NewOrder{PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Coat", Quantity: 1, UnitPrice: 10000,
			TaxRate: 1900, TotalAmount: 10000, TotalTaxAmount: 1597}}})
	if err != nil {
		t.Fatal(err)
	}
	ch := orders.Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: uuid.NewString(), Reason: "Customer asked"}
	r := e.hold(t, agent, id, ch)
	if o := e.order(t, id); o.Status != omclient.StatusAuthorized {
		t.Fatalf("held cancel reached the provider: %s", o.Status)
	}
	if r.Amount != 10000 {
		t.Fatalf("request amount = %d", r.Amount)
	}
	if got, _, err := e.svc.Approve(ctx, admin, r.ID, "confirmed by phone"); err != nil || got.Status != StatusExecuted {
		t.Fatalf("approve: %+v %v", got, err)
	}
	if o := e.order(t, id); o.Status != omclient.StatusCancelled {
		t.Fatalf("status after approval = %s", o.Status)
	}
	// With thresholds set, a currency without one fails closed (see
	// TestCurrenciesWithoutAThresholdFailClosed); without any, nothing is
	// held.
	o := e.order(t, id)
	o.PurchaseCurrency = "SEK"
	if why, _ := e.svc.Check(ctx, agent, o, ch); !strings.Contains(why, "No approval threshold is set for SEK") {
		t.Fatalf("a SEK cancellation without a SEK threshold: %q", why)
	}
	none := newEnv(t, be, Policy{})
	if why, _ := none.svc.Check(ctx, agent, o, ch); why != "" {
		t.Fatalf("held without any thresholds: %q", why)
	}
}

func TestDailyRefundLimitHoldsTheRefundThatGoesPastIt(t *testing.T) {
	dbtest.Each(t, testDailyRefundLimitHoldsTheRefundThatGoesPastIt)
}

func testDailyRefundLimitHoldsTheRefundThatGoesPastIt(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{DailyRefundLimits: map[string]int64{"EUR": 5000}})
	ctx := context.Background()
	id := e.capturedOrder(t)
	first := refund(id, 3000)
	if why, err := e.svc.Check(ctx, agent, e.order(t, id), first); err != nil || why != "" {
		t.Fatalf("first refund held: %q %v", why, err)
	}
	if res, err := e.pipe.Apply(ctx, agent, first); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("first refund: %v %v", res.Outcome, err)
	}
	if why, _ := e.svc.Check(ctx, agent, e.order(t, id), refund(id, 2000)); why != "" {
		t.Fatalf("a refund up to the limit was held: %q", why)
	}
	if why, _ := e.svc.Check(ctx, agent, e.order(t, id), refund(id, 2001)); why == "" {
		t.Fatal("a refund past the daily limit went through")
	}
	// Another agent has their own allowance; tomorrow is a new day.
	if why, _ := e.svc.Check(ctx, agent2, e.order(t, id), refund(id, 5000)); why != "" {
		t.Fatalf("another agent held: %q", why)
	}
	e.clock.Advance(24 * time.Hour)
	if why, _ := e.svc.Check(ctx, agent, e.order(t, id), refund(id, 5000)); why != "" {
		t.Fatalf("held the next day: %q", why)
	}
}

func TestSubmitRefusesAStaleForm(t *testing.T) {
	dbtest.Each(t, testSubmitRefusesAStaleForm)
}

func testSubmitRefusesAStaleForm(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 5000}})
	id := e.capturedOrder(t)
	o := e.order(t, id)
	fp := orders.FingerprintOf(o)
	fp.RefundedAmount = 100
	ch := refund(id, 6000)
	ch.Expected = &fp
	var stale *orders.StaleError
	if _, _, err := e.svc.Submit(context.Background(), agent, o, ch, "why"); !errors.As(err, &stale) {
		t.Fatalf("stale form: %v", err)
	}
}

func TestThePipelineRefusesAHeldChangeFromAnyDoor(t *testing.T) {
	dbtest.Each(t, testThePipelineRefusesAHeldChangeFromAnyDoor)
}

func testThePipelineRefusesAHeldChangeFromAnyDoor(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 5000}})
	ctx := context.Background()
	id := e.capturedOrder(t)
	before, _, err := e.log.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.pipe.Apply(ctx, super1, refund(id, 6000))
	var held *orders.HeldError
	if !errors.As(err, &held) || held.Why == "" {
		t.Fatalf("a refund above the threshold sent straight through the pipeline: %v", err)
	}
	if o := e.order(t, id); len(o.Refunds) != 0 {
		t.Fatalf("held refund reached the provider: %d refunds", len(o.Refunds))
	}
	if after, _, _ := e.log.Head(ctx); after != before {
		t.Fatalf("a held change was recorded as requested: %d events, had %d", after, before)
	}
	if res, err := e.pipe.Apply(ctx, super1, refund(id, 5000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("a refund at the threshold: %v %v", res.Outcome, err)
	}
}
