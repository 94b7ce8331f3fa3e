package audit

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ApprovalEvents returns the approval events of an order, oldest first, for
// its history: the whole path of each four-eyes request.
func (l *Log) ApprovalEvents(ctx context.Context, orderID string) ([]Event, error) {
	if orderID == "" {
		return nil, nil
	}
	return l.eventsWhere(ctx, approvalsWhere, orderID)
}

// approvalsWhere finds an order's approval events through the order's
// events (events_order); "+kind" keeps the planner off events_kind, which
// would read every approval of every order.
const approvalsWhere = byOrder + ` AND +kind = 'approval' ORDER BY seq`

// RefundTotals sums, per currency, the refunds a staff member sent on their
// own since a time: attempts of create_refund that succeeded, whose outcome
// is unknown (the provider may have applied them) or that are still open.
// Refunds sent on approval (Detail["approval_id"]) are left out: they were
// judged by a second person and count against nobody's own allowance.
// The currency is the one the attempt recorded (Detail["currency"]), else
// the one in its before-values.
func (l *Log) RefundTotals(ctx context.Context, staffID int64, since time.Time) (map[string]int64, error) {
	if err := l.SyncIndex(ctx); err != nil {
		return nil, err
	}
	// The attempts from the index (its own file), then their requested
	// events from the log.
	rows, err := l.idx.Query(ctx, l.isql(`SELECT a.seq, a.amount FROM attempts a
		WHERE a.staff_id = ? AND a.action = 'create_refund' AND a.tkey >= ? AND a.outcome IN ('succeeded', 'unknown', '')`),
		staffID, tkeyOf(since, 0))
	if err != nil {
		return nil, fmt.Errorf("audit: refund totals: %w", err)
	}
	var refunds []AttemptRow
	for rows.Next() {
		var a AttemptRow
		if err := rows.Scan(&a.Seq, &a.Amount); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("audit: refund totals: %w", err)
		}
		refunds = append(refunds, a)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, fmt.Errorf("audit: refund totals: %w", err)
	}
	events, err := l.eventsBySeq(ctx, refunds)
	if err != nil {
		return nil, fmt.Errorf("audit: refund totals: %w", err)
	}
	totals := map[string]int64{}
	for _, a := range refunds {
		e, ok := events[a.Seq]
		if !ok {
			return nil, fmt.Errorf("audit: refund totals: event %d is indexed but not in the log", a.Seq)
		}
		if e.Detail["approval_id"] != "" {
			continue
		}
		cur := e.Detail["currency"]
		if cur == "" {
			cur = currencyOf(e.Before)
		}
		totals[cur] += a.Amount
	}
	return totals, nil
}
