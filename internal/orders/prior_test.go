package orders

import (
	"encoding/json"
	"testing"
	"time"

	"ordercare/internal/audit"
)

// TestRecentChangesReadAsTheOrderPageReadsThem: the checks before a change
// read the order's records through SQLite's JSON functions
// (audit.Log.OrderMoneyRecords); the order page judges the same history
// from its fully decoded events. Both must name the same prior changes in
// the same states, or the page would say a change may go while the
// pipeline refuses it (or the other way round).
func TestRecentChangesReadAsTheOrderPageReadsThem(t *testing.T) {
	ctx := t.Context()
	e := newEnv(t)
	const order = "order-1"
	now := time.Now().UTC()
	at := func(min int) time.Time { return now.Add(time.Duration(min-60) * time.Minute) }
	agent := audit.Actor{StaffID: 1, Email: "agent@example.com", Role: "agent"}
	attempt := func(min int, id, action, body, outcome, resource string, detail map[string]string) {
		t.Helper()
		d := map[string]string{"currency": "EUR"}
		for k, v := range detail {
			d[k] = v
		}
		ev := audit.Event{Time: at(min), Kind: audit.KindRequested, AttemptID: id, Actor: agent, OrderID: order, Action: action,
			IdempotencyKey: "key-" + id, Detail: d, Before: map[string]string{"order_amount": "302.90 EUR"}}
		if body != "" {
			ev.Request = json.RawMessage(body)
		}
		if _, err := e.log.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if outcome != "" {
			if _, err := e.log.Append(ctx, audit.Event{Time: at(min), Kind: audit.KindCompleted, AttemptID: id, Actor: agent,
				OrderID: order, Action: action, Outcome: audit.Outcome(outcome), ResourceID: resource}); err != nil {
				t.Fatal(err)
			}
		}
	}
	step := func(min int, approval, step, action string, detail map[string]string) {
		t.Helper()
		d := map[string]string{"approval_id": approval, "step": step, "currency": "EUR"}
		for k, v := range detail {
			d[k] = v
		}
		if _, err := e.log.Append(ctx, audit.Event{Time: at(min), Kind: audit.KindApproval, Actor: agent, OrderID: order,
			Action: action, IdempotencyKey: "req-" + approval, Detail: d}); err != nil {
			t.Fatal(err)
		}
	}
	attempt(1, "a1", "create_capture", `{"captured_amount":30290}`, "succeeded", "cap-1", nil)
	attempt(2, "a2", "create_refund", `{"refunded_amount":4000}`, "unknown", "", nil)
	attempt(3, "a3", "create_refund", `{"refunded_amount":2500}`, "refused", "", nil)
	attempt(4, "a4", "create_refund", `{"refunded_amount":1200}`, "", "", nil) // cut off before its outcome
	attempt(5, "a5", "update_authorization", `{"order_amount":20000}`, "succeeded", "", nil)
	attempt(6, "a6", "cancel", "", "failed", "", nil)
	attempt(7, "a7", "add_shipping_info", `{"shipping_info":[]}`, "succeeded", "", nil) // not money
	attempt(8, "a8", "create_refund", `not json`, "succeeded", "ref-8", map[string]string{"approval_id": "r9"})
	if _, err := e.log.Append(ctx, audit.Event{Time: at(9), Kind: audit.KindReconciled, AttemptID: "a2", Actor: agent, OrderID: order,
		Detail: map[string]string{"settled": audit.SettledApplied, "resource_id": "ref-2"}}); err != nil {
		t.Fatal(err)
	}
	step(10, "r1", "requested", "create_refund", map[string]string{"amount": "9000", "expires_at": now.Add(time.Hour).Format(time.RFC3339Nano)})
	step(11, "r2", "requested", "cancel", map[string]string{"amount": "30290", "expires_at": now.Add(-time.Minute).Format(time.RFC3339Nano)})
	step(12, "r3", "requested", "create_refund", map[string]string{"amount": "100", "expires_at": now.Add(time.Hour).Format(time.RFC3339Nano)})
	step(13, "r3", "approved", "create_refund", nil)
	step(14, "r4", "requested", "create_refund", map[string]string{"amount": "200"})
	step(15, "r4", "rejected", "create_refund", nil)
	step(16, "r9", "requested", "create_refund", map[string]string{"amount": "5"})
	step(17, "r9", "executed", "create_refund", nil)

	for _, since := range []time.Time{{}, at(4)} {
		got, err := e.svc.RecentChanges(ctx, order, since)
		if err != nil {
			t.Fatal(err)
		}
		attempts, err := e.log.OrderAttempts(ctx, order)
		if err != nil {
			t.Fatal(err)
		}
		settled, steps, err := e.log.OrderFollowUps(ctx, order)
		if err != nil {
			t.Fatal(err)
		}
		want := PriorChangesOf(attempts, settled, steps, since, e.svc.now())
		if len(got) == 0 || len(got) != len(want) {
			t.Fatalf("since %v: %d changes from the records, %d from the page's events:\n%+v\n%+v", since, len(got), len(want), got, want)
		}
		for i := range want {
			if !got[i].At.Equal(want[i].At) {
				t.Errorf("since %v, change %d: at %v, want %v", since, i, got[i].At, want[i].At)
			}
			got[i].At = want[i].At
			if got[i] != want[i] {
				t.Errorf("since %v, change %d:\n got %+v\nwant %+v", since, i, got[i], want[i])
			}
		}
	}
	all, _ := e.svc.RecentChanges(ctx, order, time.Time{})
	states := map[string]string{}
	for _, p := range all {
		states[p.ID()] = p.State
	}
	for id, want := range map[string]string{"a1": PriorSucceeded, "a2": PriorSucceeded, "a3": PriorNotApplied, "a4": PriorUnknown,
		"a5": PriorSucceeded, "a6": PriorNotApplied, "a8": PriorSucceeded, "r1": PriorPending, "r2": PriorClosed, "r3": PriorApproved,
		"r4": PriorClosed} {
		if states[id] != want {
			t.Errorf("%s: state %q, want %q", id, states[id], want)
		}
	}
	if _, ok := states["a7"]; ok {
		t.Error("a shipping-info change counted as a money change")
	}
	if _, ok := states["r9"]; ok {
		t.Error("an executed request counted beside its attempt")
	}
}
