package approvals

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// The four-eyes rule's loopholes, each as a user found it: split refunds,
// cutting the amount before cancelling, currencies without a threshold,
// and approving one's own request through an account one just made.

// newOrder creates an authorized order of amount in cur (one line),
// captured in full when captured is set.
func (e *env) newOrder(t *testing.T, country, cur string, amount int64, captured bool) string {
	t.Helper()
	ctx := context.Background()
	id, err := e.sb.CreateOrder(ctx, omsim.NewOrder{
		PurchaseCountry: country, PurchaseCurrency: cur, Locale: "en-GB", OrderAmount: amount,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Coat", Quantity: 1, UnitPrice: amount,
			TaxRate: 0, TotalAmount: amount, TotalTaxAmount: 0}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if captured {
		res, err := e.pipe.Apply(ctx, agent, orders.Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: uuid.NewString(),
			Reason: "shipped", Body: &omclient.CaptureRequest{CapturedAmount: amount}})
		if err != nil || res.Outcome != audit.OutcomeSucceeded {
			t.Fatalf("capture: %v %v", res.Outcome, err)
		}
	}
	return id
}

func change(op omclient.Operation, id string, body omclient.Request) orders.Change {
	return orders.Change{Op: op, OrderID: id, IdempotencyKey: uuid.NewString(), Reason: "customer asked", Ticket: "T-2", Body: body}
}

// sent applies ch through the guarded pipeline and wants it sent.
func (e *env) sent(t *testing.T, actor audit.Actor, ch orders.Change) {
	t.Helper()
	if res, err := e.pipe.Apply(context.Background(), actor, ch); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("%s: %v %v", ch.Op, res.Outcome, err)
	}
}

// held wants ch refused by the pipeline's guard, nothing sent.
func (e *env) held(t *testing.T, actor audit.Actor, ch orders.Change, wantWhy string) {
	t.Helper()
	_, err := e.pipe.Apply(context.Background(), actor, ch)
	var h *orders.HeldError
	if !errors.As(err, &h) {
		t.Fatalf("%s went through without approval: %v", ch.Op, err)
	}
	if !strings.Contains(h.Why, wantWhy) {
		t.Fatalf("%s held because %q, want it to say %q", ch.Op, h.Why, wantWhy)
	}
}

func TestSplitRefundsCountTogetherAgainstTheThreshold(t *testing.T) {
	dbtest.Each(t, testSplitRefundsCountTogetherAgainstTheThreshold)
}

func testSplitRefundsCountTogetherAgainstTheThreshold(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 20000}})
	// The sandbox stamps its refunds with the real time: start the
	// pipeline's clock there, so moving it a day on leaves them behind.
	e.clock.Set(time.Now())
	id := e.newOrder(t, "DE", "EUR", 50000, true)

	e.sent(t, agent, refund(id, 20000)) // at the threshold: allowed
	// The second 200 € takes the order's refunds to 400 €: held, by any
	// door, however small each part is. (Being the same amount as the
	// first, it also needs the agent's confirmation of a second refund;
	// confirmed, the threshold still holds it.)
	second := refund(id, 20000)
	_, err := e.pipe.Apply(context.Background(), agent, second)
	var twin *orders.TwinError
	if !errors.As(err, &twin) {
		t.Fatalf("a second refund of the same amount: %v, want a confirmation asked", err)
	}
	second.Confirm = twin.Token
	e.held(t, agent, second, "come to 400.00 EUR (200.00 EUR refunded")
	e.held(t, agent2, refund(id, 1273), "come to 212.73 EUR")
	if o := e.order(t, id); len(o.Refunds) != 1 {
		t.Fatalf("%d refunds reached the provider, want 1", len(o.Refunds))
	}

	// A refund waiting for approval counts too, and so does one made in
	// the provider's own portal.
	other := e.newOrder(t, "DE", "EUR", 50000, true)
	e.hold(t, agent, other, refund(other, 25000))
	e.held(t, agent2, refund(other, 100), "come to 251.00 EUR (250.00 EUR")
	portal := e.newOrder(t, "DE", "EUR", 50000, true)
	if _, err := omclienttest.Created(context.Background(), e.client, portal, "", &omclient.RefundRequest{RefundedAmount: 19000}); err != nil {
		t.Fatal(err)
	}
	e.held(t, agent, refund(portal, 1001), "come to 200.01 EUR")

	// Once the window has passed, the old refunds no longer count; the
	// daily per-member limits are a separate rule and stay.
	e.clock.Advance(DefaultWindow + time.Minute)
	e.sent(t, agent, refund(id, 20000))
}

func TestCutTheAmountThenCancelIsHeld(t *testing.T) {
	dbtest.Each(t, testCutTheAmountThenCancelIsHeld)
}

func testCutTheAmountThenCancelIsHeld(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 20000}})
	ctx := context.Background()
	id := e.newOrder(t, "DE", "EUR", 30290, false)

	// Cutting 302.90 € to 0.01 € gives up what a cancellation would:
	// held itself.
	cut := change(omclient.OpUpdateAuthorization, id, &omclient.UpdateAuthorizationRequest{OrderAmount: 1})
	e.held(t, agent, cut, "from 302.90 EUR to 0.01 EUR")
	// A cut that stays above the threshold is not.
	e.sent(t, agent, change(omclient.OpUpdateAuthorization, id, &omclient.UpdateAuthorizationRequest{OrderAmount: 25000}))

	// Approved by a supervisor, the cut to 0.01 € is made ...
	r := e.hold(t, agent, id, change(omclient.OpUpdateAuthorization, id, &omclient.UpdateAuthorizationRequest{OrderAmount: 1}))
	if r.Amount != 1 {
		t.Fatalf("the request shows %d, want the new amount 1", r.Amount)
	}
	if got, _, err := e.svc.Approve(ctx, super1, r.ID, "customer kept one item"); err != nil || got.Status != StatusExecuted {
		t.Fatalf("approve the cut: %+v %v", got, err)
	}
	if o := e.order(t, id); o.OrderAmount != 1 {
		t.Fatalf("order amount %d after the approved cut, want 1", o.OrderAmount)
	}
	// ... and cancelling the 0.01 € left is judged by the 302.90 € the
	// order had today.
	e.held(t, agent, change(omclient.OpCancel, id, nil), "This order’s amount was 302.90 EUR in the last 24 hours")
	e.held(t, agent, change(omclient.OpReleaseRemaining, id, nil), "remaining authorized amount was 302.90 EUR")
	if o := e.order(t, id); o.Status == omclient.StatusCancelled {
		t.Fatal("the order was cancelled without approval")
	}
	// A day later the order is judged by what it is.
	e.clock.Advance(DefaultWindow + time.Minute)
	e.sent(t, agent, change(omclient.OpCancel, id, nil))
}

func TestCurrenciesWithoutAThresholdFailClosed(t *testing.T) {
	dbtest.Each(t, testCurrenciesWithoutAThresholdFailClosed)
}

func testCurrenciesWithoutAThresholdFailClosed(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 20000, "SEK": 200000}})
	pln := e.newOrder(t, "PL", "PLN", 10000, true)
	e.held(t, agent, refund(pln, 100), "No approval threshold is set for PLN")
	chf := e.newOrder(t, "CH", "CHF", 103822, false)
	e.held(t, agent, change(omclient.OpCancel, chf, nil), "No approval threshold is set for CHF")
	e.held(t, agent, change(omclient.OpUpdateAuthorization, chf, &omclient.UpdateAuthorizationRequest{OrderAmount: 100}), "CHF")
	// A covered currency is judged by its threshold.
	e.sent(t, agent, refund(e.newOrder(t, "DE", "EUR", 10000, true), 10000))

	// A "*" default covers every other currency, in its minor units.
	p, err := money.ParseAmounts("ORDERCARE_APPROVAL_THRESHOLDS", "EUR:20000,*:20000")
	if err != nil {
		t.Fatal(err)
	}
	d := newEnv(t, be, Policy{Thresholds: p})
	pln = d.newOrder(t, "PL", "PLN", 50000, true)
	d.sent(t, agent, refund(pln, 20000))
	d.held(t, agent, refund(pln, 1), "more than 200.00 PLN")
	chf = d.newOrder(t, "CH", "CHF", 103822, false)
	d.held(t, agent, change(omclient.OpCancel, chf, nil), "more than 200.00 CHF")
}

func TestNobodyDecidesForWhoeverJustManagedTheirAccount(t *testing.T) {
	dbtest.Each(t, testNobodyDecidesForWhoeverJustManagedTheirAccount)
}

func testNobodyDecidesForWhoeverJustManagedTheirAccount(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, Policy{Thresholds: map[string]int64{"EUR": 20000}})
	ctx := context.Background()
	staffChange := func(by audit.Actor, change string, target audit.Actor, at time.Time, outcome audit.Outcome) {
		t.Helper()
		if _, err := e.log.Append(ctx, audit.Event{Time: at, Kind: audit.KindStaff, Actor: by, Outcome: outcome,
			Detail: map[string]string{"change": change, "target_id": strconv.FormatInt(target.StaffID, 10), "target_email": target.Email}}); err != nil {
			t.Fatal(err)
		}
	}
	now := e.clock.Now()
	// The admin made super1's account a week ago, made super2 supervisor
	// yesterday, and reset agent2's password 31 days ago.
	staffChange(admin, "add", super1, now.Add(-7*24*time.Hour), audit.OutcomeSucceeded)
	staffChange(admin, "role", super2, now.Add(-24*time.Hour), audit.OutcomeSucceeded)
	sup3 := audit.Actor{StaffID: 7, Email: "sup3@example.com", Role: "supervisor"}
	staffChange(admin, "password", sup3, now.Add(-31*24*time.Hour), audit.OutcomeSucceeded)
	// A refused change (the last-admin rule) changed nothing.
	sup4 := audit.Actor{StaffID: 8, Email: "sup4@example.com", Role: "supervisor"}
	staffChange(admin, "role", sup4, now.Add(-time.Hour), audit.OutcomeRefused)

	id := e.newOrder(t, "DE", "EUR", 50000, true)
	r := e.hold(t, admin, id, refund(id, 30000))
	for _, puppet := range []audit.Actor{super1, super2} {
		_, _, err := e.svc.Approve(ctx, puppet, r.ID, "looks fine")
		var me *ManagedError
		if !errors.Is(err, ErrManagedByRequester) || !errors.As(err, &me) || me.Requester != admin.Email {
			t.Fatalf("%s approved a request of the admin who manages their account: %v", puppet.Email, err)
		}
		if _, err := e.svc.Reject(ctx, puppet, r.ID, "no"); !errors.Is(err, ErrManagedByRequester) {
			t.Fatalf("%s rejected it: %v", puppet.Email, err)
		}
	}
	if o := e.order(t, id); len(o.Refunds) != 0 {
		t.Fatal("the refund was sent")
	}
	if got, _ := e.svc.Get(ctx, r.ID); got.Status != StatusPending {
		t.Fatalf("request is %s, want still pending", got.Status)
	}
	if got, _, err := e.svc.Approve(ctx, sup3, r.ID, "checked the return"); err != nil || got.Status != StatusExecuted {
		t.Fatalf("a supervisor managed more than 30 days ago may decide: %+v %v", got, err)
	}
	// The rule is about the requester only: super1 decides an agent's request.
	other := e.newOrder(t, "DE", "EUR", 50000, true)
	r2 := e.hold(t, agent, other, refund(other, 30000))
	if _, err := e.svc.Reject(ctx, super1, r2.ID, "not returned"); err != nil {
		t.Fatalf("super1 deciding an agent's request: %v", err)
	}
	_ = sup4
}
