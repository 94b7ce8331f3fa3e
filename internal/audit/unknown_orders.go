package audit

import (
	"context"
	"fmt"
)

// MaxUnknownOrders bounds OrdersWithUnknownOutcome: unchecked unknown
// outcomes are few (each is a change staff must check), and the order
// list's filter takes them as a list of ids.
const MaxUnknownOrders = 10000

// OrdersWithUnknownOutcome lists the orders that have a change whose
// outcome is unknown (the provider may or may not have applied it) and
// that nobody has checked yet, at most MaxUnknownOrders.
func (l *Log) OrdersWithUnknownOutcome(ctx context.Context) ([]string, error) {
	if err := l.SyncIndex(ctx); err != nil {
		return nil, err
	}
	rows, err := l.idx.R.QueryContext(ctx, l.isql(`SELECT DISTINCT order_id FROM attempts
		WHERE outcome = 'unknown' AND reconciled_seq = 0 LIMIT ?`), MaxUnknownOrders)
	if err != nil {
		return nil, fmt.Errorf("audit: unknown outcomes: %w", err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("audit: unknown outcomes: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
