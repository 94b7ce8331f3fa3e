package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// ApprovalEvents returns the approval events of an order, oldest first, for
// its history: the whole path of each four-eyes request.
func (l *Log) ApprovalEvents(ctx context.Context, orderID string) ([]Event, error) {
	if orderID == "" {
		return nil, nil
	}
	return l.eventsWhere(ctx, `order_id = ? AND kind = 'approval' ORDER BY seq`, orderID)
}

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
	rows, err := l.db.Query(ctx, `SELECT a.amount, e.before_json, e.detail_json
		FROM attempts a JOIN events e ON e.seq = a.seq
		WHERE a.staff_id = ? AND a.action = 'create_refund' AND a.tkey >= ? AND a.outcome IN ('succeeded', 'unknown', '')`,
		staffID, tkeyOf(since, 0))
	if err != nil {
		return nil, fmt.Errorf("audit: refund totals: %w", err)
	}
	defer rows.Close()
	totals := map[string]int64{}
	for rows.Next() {
		var amount int64
		var beforeJSON, detailJSON string
		if err := rows.Scan(&amount, &beforeJSON, &detailJSON); err != nil {
			return nil, fmt.Errorf("audit: refund totals: %w", err)
		}
		var before, detail map[string]string
		if beforeJSON != "" {
			if err := json.Unmarshal([]byte(beforeJSON), &before); err != nil {
				return nil, fmt.Errorf("audit: refund totals: before values: %w", err)
			}
		}
		if detailJSON != "" {
			if err := json.Unmarshal([]byte(detailJSON), &detail); err != nil {
				return nil, fmt.Errorf("audit: refund totals: detail: %w", err)
			}
		}
		if detail["approval_id"] != "" {
			continue
		}
		cur := detail["currency"]
		if cur == "" {
			cur = currencyOf(before)
		}
		totals[cur] += amount
	}
	return totals, rows.Err()
}
