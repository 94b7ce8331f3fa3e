package orders

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
)

var agent2 = audit.Actor{StaffID: 4, Email: "other@example.com", Role: "agent", ClientIP: "192.0.2.8", UserAgent: "test"}

func refund(id string, amount int64) Change {
	return Change{Op: omclient.OpCreateRefund, OrderID: id, IdempotencyKey: uuid.NewString(),
		Reason: "returned", Ticket: "HD-7", Body: &omclient.RefundRequest{RefundedAmount: amount}}
}

// captured is an order of 100.00 EUR captured in full.
func (e *env) captured(t *testing.T) string {
	t.Helper()
	id := e.newOrder(t)
	if res, err := e.svc.Apply(context.Background(), agent, capture(id, 10000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture: %+v, %v", res, err)
	}
	return id
}

func (e *env) refunds(t *testing.T, id string) []omclient.Refund {
	t.Helper()
	o, err := e.sb.Order(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o.Refunds
}

// TestSecondRefundOfSameAmountNeedsConfirmation: a refund of 20.00 EUR by
// one agent, then a new form for 20.00 EUR by another: nothing is sent or
// recorded until the second agent confirms, and the confirmation is tied to
// the draft (another amount's, or an old order state's, is refused).
func TestSecondRefundOfSameAmountNeedsConfirmation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.captured(t)
	first, err := e.svc.Apply(ctx, agent, refund(id, 2000))
	if err != nil || first.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("first refund: %+v, %v", first, err)
	}
	events := e.events(t)

	second := refund(id, 2000)
	_, err = e.svc.Apply(ctx, agent2, second)
	var twin *TwinError
	if !errors.As(err, &twin) {
		t.Fatalf("second refund of the same amount: err = %v, want a TwinError", err)
	}
	if len(twin.Twins) != 1 || twin.Twins[0].AttemptID != first.AttemptID || twin.Twins[0].By != agent.Email ||
		twin.Twins[0].Amount != 2000 || twin.Token == "" {
		t.Fatalf("twin = %+v", twin)
	}
	if n := len(e.refunds(t, id)); n != 1 || e.events(t) != events {
		t.Fatalf("after the refused twin: %d refunds at the provider, %d new audit events; want 1 and 0", n, e.events(t)-events)
	}

	// A confirmation for another draft (15.00 EUR) does not confirm this one.
	other := refund(id, 1500)
	other.Confirm = confirmToken(omclient.OpCreateRefund, 1500, fingerprintNow(t, e, id), twin.Twins)
	stale := second
	stale.Confirm = other.Confirm
	if _, err := e.svc.Apply(ctx, agent2, stale); !errors.As(err, new(*TwinError)) {
		t.Fatalf("confirmation of another amount: err = %v, want a TwinError", err)
	}

	second.Confirm = twin.Token
	res, err := e.svc.Apply(ctx, agent2, second)
	if err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("confirmed second refund: %+v, %v", res, err)
	}
	if n := len(e.refunds(t, id)); n != 2 {
		t.Fatalf("%d refunds at the provider after the confirmed one, want 2", n)
	}
	// The order changed (a second refund): the old confirmation is stale
	// for a third one.
	third := refund(id, 2000)
	third.Confirm = twin.Token
	if _, err := e.svc.Apply(ctx, agent, third); !errors.As(err, &twin) || len(twin.Twins) != 2 {
		t.Fatalf("third refund with the first confirmation: err = %v, want a TwinError naming 2", err)
	}

	// Another amount is not a twin, and a capture is not a refund's twin.
	if res, err := e.svc.Apply(ctx, agent, refund(id, 1000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("refund of another amount: %+v, %v", res, err)
	}
}

func fingerprintNow(t *testing.T, e *env, id string) Fingerprint {
	t.Helper()
	o, err := e.svc.GetOrder(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return FingerprintOf(o)
}

// TestLostRefundBlocksUntilChecked: the provider applies a 40.00 EUR refund
// but its answer is lost; a new refund form for 40.00 EUR (and any other
// money change) is not sent until a check settles the lost one, which the
// provider's refund list proves applied. Then the second refund is a twin
// of the settled one, and the settled refund is the attempt's.
func TestLostRefundBlocksUntilChecked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.captured(t)
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/refunds", Kind: omsim.FaultResetAfterApply}}})
	lost, err := e.svc.Apply(ctx, agent, refund(id, 4000))
	if err != nil || lost.Outcome != audit.OutcomeUnknown {
		t.Fatalf("refund with a lost answer: %+v, %v", lost, err)
	}
	e.sb.SetFaults(omsim.Faults{})
	if n := len(e.refunds(t, id)); n != 1 {
		t.Fatalf("the provider applied %d refunds, want 1 (the lost answer's)", n)
	}
	events := e.events(t)

	for _, ch := range []Change{refund(id, 4000), refund(id, 500)} {
		_, err := e.svc.Apply(ctx, agent2, ch)
		var un *UnsettledError
		if !errors.As(err, &un) || un.Prior.AttemptID != lost.AttemptID {
			t.Fatalf("refund of %d while the lost one is unknown: err = %v, want an UnsettledError naming it", ChangeAmount(ch.Op, ch.Body), err)
		}
	}
	if n := len(e.refunds(t, id)); n != 1 || e.events(t) != events {
		t.Fatalf("while unknown: %d refunds, %d new events; want 1 and 0", n, e.events(t)-events)
	}

	st, err := e.svc.Settle(ctx, agent2, lost.AttemptID)
	if err != nil {
		t.Fatal(err)
	}
	want := e.refunds(t, id)[0].RefundID
	if st.Outcome != audit.SettledApplied || st.ResourceID != want {
		t.Fatalf("settlement = %+v, want applied as refund %s", st, want)
	}
	if _, err := e.svc.Settle(ctx, agent2, lost.AttemptID); !errors.Is(err, ErrNotUnknown) {
		t.Fatalf("settling twice: err = %v, want ErrNotUnknown", err)
	}
	// Settled: the same amount is now a twin (needs a confirmation), another
	// amount is sent.
	var twin *TwinError
	if _, err := e.svc.Apply(ctx, agent2, refund(id, 4000)); !errors.As(err, &twin) || twin.Twins[0].AttemptID != lost.AttemptID {
		t.Fatalf("refund of the same amount after the check: err = %v, want a TwinError naming the lost one", err)
	}
	if res, err := e.svc.Apply(ctx, agent2, refund(id, 500)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("refund of another amount after the check: %+v, %v", res, err)
	}
}

// TestSettleNotAppliedWaitsForGrace: a refund that never reached the
// provider's books is settled as not applied only once the provider can no
// longer be working on it; before, the check says it cannot tell.
func TestSettleNotAppliedWaitsForGrace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	now := time.Now()
	e.svc.now = func() time.Time { return now }
	id := e.captured(t)
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/refunds", Kind: omsim.Fault500}}})
	lost, err := e.svc.Apply(ctx, agent, refund(id, 4000))
	if err != nil || lost.Outcome != audit.OutcomeUnknown {
		t.Fatalf("refund answered 500: %+v, %v", lost, err)
	}
	e.sb.SetFaults(omsim.Faults{})
	st, err := e.svc.Settle(ctx, agent, lost.AttemptID)
	if err != nil || st.Outcome != "" {
		t.Fatalf("check right away: %+v, %v; want no outcome proved", st, err)
	}
	if _, err := e.svc.Apply(ctx, agent, refund(id, 500)); !errors.As(err, new(*UnsettledError)) {
		t.Fatalf("refund after an unproved check: err = %v, want still unsettled", err)
	}
	now = now.Add(SettleGrace + time.Second)
	st, err = e.svc.Settle(ctx, agent, lost.AttemptID)
	if err != nil || st.Outcome != audit.SettledNotApplied {
		t.Fatalf("check after the grace: %+v, %v; want not applied", st, err)
	}
	// Not applied: a refund of the same amount is no twin.
	if res, err := e.svc.Apply(ctx, agent, refund(id, 4000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("refund after the lost one was proved absent: %+v, %v", res, err)
	}
}

// TestCaptureTwin: the rule covers captures too.
func TestCaptureTwin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.newOrder(t)
	if res, err := e.svc.Apply(ctx, agent, capture(id, 3000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("first capture: %+v, %v", res, err)
	}
	if _, err := e.svc.Apply(ctx, agent, capture(id, 3000)); !errors.As(err, new(*TwinError)) {
		t.Fatalf("second capture of 30.00: err = %v, want a TwinError", err)
	}
	if res, err := e.svc.Apply(ctx, agent, capture(id, 2000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture of another amount: %+v, %v", res, err)
	}
}

// TestPendingRequestIsATwin: a four-eyes request (its audit steps) waiting
// for approval is a change of that amount being made; once rejected it is
// not.
func TestPendingRequestIsATwin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	id := e.captured(t)
	step := func(s, reqID string) {
		t.Helper()
		ev := audit.Event{Kind: audit.KindApproval, Actor: agent, OrderID: id, Action: string(omclient.OpCreateRefund),
			IdempotencyKey: uuid.NewString(), Detail: map[string]string{"step": s, "approval_id": reqID, "amount": "4000", "currency": "EUR",
				"expires_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano)}}
		if _, err := e.log.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	step("requested", "r1")
	var twin *TwinError
	if _, err := e.svc.Apply(ctx, agent2, refund(id, 4000)); !errors.As(err, &twin) || twin.Twins[0].ApprovalID != "r1" || twin.Twins[0].State != PriorPending {
		t.Fatalf("refund while a request of the same amount waits: err = %v, want a TwinError naming the request", err)
	}
	step("rejected", "r1")
	if res, err := e.svc.Apply(ctx, agent2, refund(id, 4000)); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("refund after the request was rejected: %+v, %v", res, err)
	}
}
