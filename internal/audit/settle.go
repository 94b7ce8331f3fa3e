package audit

import (
	"context"
	"fmt"
)

// Settling an attempt whose outcome is unknown: someone read the order from
// the provider and its captures or refunds (ids, amounts, times) proved
// whether the attempt's change was applied. The proof is a new reconciled
// event (the attempt's own events are never edited), with Detail["settled"]
// set to the outcome it proved.
const (
	// SettledApplied: the provider shows the change (Detail["resource_id"]
	// names the capture or refund it made, when it made one).
	SettledApplied = "succeeded"
	// SettledNotApplied: the provider shows the order without the change.
	SettledNotApplied = "not_applied"
)

// Settlement is what the latest settling check of an attempt proved.
type Settlement struct {
	// Outcome is SettledApplied or SettledNotApplied.
	Outcome    string
	ResourceID string
	Event      Event
}

// Settle records that actor checked the attempt's order and that it proves
// outcome (SettledApplied with the capture or refund id found, or
// SettledNotApplied); why says what proved it, observed is the order as
// read (as Reconciled records it).
func (l *Log) Settle(ctx context.Context, actor Actor, attemptID, outcome, resourceID, why string, observed map[string]string) (Event, error) {
	if outcome != SettledApplied && outcome != SettledNotApplied {
		return Event{}, fmt.Errorf("%w: settled outcome %q", ErrBadFilter, outcome)
	}
	detail := map[string]string{"settled": outcome, "settled_why": why}
	if resourceID != "" {
		detail["resource_id"] = resourceID
	}
	for k, v := range observed {
		if _, taken := detail[k]; !taken {
			detail[k] = v
		}
	}
	return l.Reconciled(ctx, actor, attemptID, detail)
}

// OrderSettlements returns, per attempt id, the latest settlement of the
// order's attempts (checks that proved nothing are left out).
func (l *Log) OrderSettlements(ctx context.Context, orderID string) (map[string]Settlement, error) {
	if orderID == "" {
		return nil, nil
	}
	events, err := l.eventsWhere(ctx, settlementsWhere, orderID)
	if err != nil {
		return nil, err
	}
	return settlementsOf(events), nil
}

// OrderFollowUps is OrderSettlements and ApprovalEvents in one read of the
// order's events (the intent check asks both before every money change).
func (l *Log) OrderFollowUps(ctx context.Context, orderID string) (map[string]Settlement, []Event, error) {
	if orderID == "" {
		return nil, nil, nil
	}
	events, err := l.eventsWhere(ctx, followUpsWhere, orderID)
	if err != nil {
		return nil, nil, err
	}
	var steps []Event
	for _, e := range events {
		if e.Kind == KindApproval {
			steps = append(steps, e)
		}
	}
	return settlementsOf(events), steps, nil
}

// settlementsOf keeps the latest settlement per attempt among events
// (oldest first).
func settlementsOf(events []Event) map[string]Settlement {
	out := map[string]Settlement{}
	for _, e := range events {
		if s := e.Detail["settled"]; e.Kind == KindReconciled && s != "" {
			out[e.AttemptID] = Settlement{Outcome: s, ResourceID: e.Detail["resource_id"], Event: e}
		}
	}
	return out
}

// settlementsWhere finds an order's reconciled events through the order's
// events (events_order), oldest first; "+kind" keeps the planner off
// events_kind.
const (
	settlementsWhere = byOrder + ` AND +kind = 'reconciled' ORDER BY seq`
	followUpsWhere   = byOrder + ` AND +kind IN ('reconciled', 'approval') ORDER BY seq`
)
