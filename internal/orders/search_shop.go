package orders

import (
	"context"
	"fmt"
	"strings"
)

// The list's "out of step with the shop" filter keeps the orders whose
// twin, as last read (shop_snapshot.go), disagrees with the payment order
// while money is authorized: the flagged twins of order_shop_flagged, the
// start page's list without its urgency window. They are few (a twin out
// of step is an exception someone fixes), so every plan starts from them
// rather than walking a million orders for the rare one flagged: a list
// sorts them newest first in SQL (searchSQL), a query with words checks
// each one's stored words in Go (outOfStepFirst).
const (
	// outOfStepFrom reads the flagged twins, then their orders.
	outOfStepFrom = `order_shop s INDEXED BY order_shop_flagged CROSS JOIN order_index o ON o.order_id = s.order_id`
	// outOfStepJoined is the condition on outOfStepFrom's rows: the
	// partial index's own condition, and money still authorized (a twin
	// flagged by a read before the payment order changed).
	outOfStepJoined = `s.flagged = 1 AND ` + outOfStepOpen
	// outOfStepIn is the same condition for a walk of order_index o,
	// the flagged ids read once into a set.
	outOfStepIn   = `o.order_id IN (SELECT order_id FROM order_shop WHERE flagged = 1) AND ` + outOfStepOpen
	outOfStepOpen = `o.status IN ('AUTHORIZED', 'PART_CAPTURED') AND o.remaining_authorized_amount > 0`
)

// outOfStepBudget bounds the flagged twins a query with words reads and
// sorts; more (a shop connected for the first time to years of orders
// that disagree) are left to the full-text walk with the flagged ids as
// a set.
const outOfStepBudget = 20_000

// outOfStepFirst answers a query with words and the out-of-step filter:
// the flagged orders that pass the other filters, newest first in
// order_search's rowid order (as the walk pages), each checked against
// the words, up to limit (-1: all). It reads every flagged twin at most
// once, so it is exact; ok is false when the filter is off, there are no
// words, or the flagged twins are more than the budget.
func (ix *Index) outOfStepFirst(ctx context.Context, q SearchQuery, limit int) (page []IndexedOrder, ok bool, err error) {
	if !q.ShopOutOfStep || strings.TrimSpace(q.Q) == "" {
		return nil, false, nil
	}
	if ix.flaggedBudget <= 0 {
		return nil, false, nil // the plan is off
	}
	var flagged int
	if err := ix.db.R.QueryRowContext(ctx, `SELECT count(*) FROM order_shop INDEXED BY order_shop_flagged WHERE flagged = 1`).
		Scan(&flagged); err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	if flagged > ix.flaggedBudget {
		return nil, false, nil
	}
	query, args, ok, err := ix.outOfStepSQL(ctx, q)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return nil, true, nil // nothing can match: an empty answer
	}
	rows, err := ix.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	return pageOfMatches(rows, q.Q, limit, nil)
}

// outOfStepSQL is outOfStepFirst's statement: the flagged orders passing
// q's filters after its cursor, newest first by search rowid. ok is false
// when nothing can match.
func (ix *Index) outOfStepSQL(ctx context.Context, q SearchQuery) (query string, args []any, ok bool, err error) {
	where, args, ok := filterWhere(q)
	if !ok {
		return "", nil, false, nil
	}
	where = append(where, `o.search_rowid IS NOT NULL`)
	if q.Cursor != "" {
		after, err := ix.cursorSortKey(ctx, q.Cursor)
		if err != nil {
			return "", nil, false, err
		}
		where = append(where, `o.search_rowid < ?`)
		args = append(args, after)
	}
	return outOfStepSorted(where, `o.search_rowid DESC`, ""), args, true, nil
}

// outOfStepList is searchSQL's statement for a list without words, its
// LIMIT the last parameter.
func outOfStepList(where []string) string {
	return outOfStepSorted(where, `o.created_at DESC, o.order_id DESC`, ` LIMIT ?`)
}

// outOfStepSorted sorts the keys of the flagged orders passing where
// (conditions on order_index o) by order, then reads each order's row
// in that order: the sort holds keys, not rows with their search words,
// and a page reads only the rows it shows (and, with words, those it
// checks). The subquery's LIMIT (-1: none) keeps SQLite from merging it
// into the outer join, so its order is the order the rows come out in.
func outOfStepSorted(where []string, order, limit string) string {
	if limit == "" {
		limit = ` LIMIT -1`
	}
	where = append(where, outOfStepJoined)
	return `SELECT ` + indexColumns + `, o.search_fields FROM (SELECT o.order_id AS id FROM ` + outOfStepFrom +
		` WHERE ` + strings.Join(where, ` AND `) + // #nosec G202 -- where holds only constant fragments; values are ? parameters
		` ORDER BY ` + order + limit + `) k CROSS JOIN order_index o ON o.order_id = k.id`
}
