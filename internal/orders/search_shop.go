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
// sorts them newest first in SQL (list), a query with words checks each
// one's stored words in Go (outOfStepFirst).
const (
	// outOfStepJoined is the condition on the rows of order_shop s
	// CROSS JOIN order_index o (outOfStepSorted): the twin's order, the
	// partial index's own condition, and money still authorized (a twin
	// flagged by a read before the payment order changed). The join's
	// condition is in the WHERE: PostgreSQL's CROSS JOIN takes no ON,
	// and SQLite's still reads the twins first.
	outOfStepJoined = `o.order_id = s.order_id AND s.flagged = 1 AND ` + outOfStepOpen
	// outOfStepIn is the same condition for a walk of order_index o,
	// the flagged ids read once into a set.
	outOfStepIn   = `o.order_id IN (SELECT order_id FROM order_shop WHERE flagged = 1) AND ` + outOfStepOpen
	outOfStepOpen = `o.status IN ('AUTHORIZED', 'PART_CAPTURED') AND o.remaining_authorized_amount > 0`
)

// The orders outOfStepSorted sorts by, as the list pages (created_at,
// order_id) and as a query with words pages (the sort key): columns of
// its subquery k.
var (
	outOfStepByList = []string{`created DESC`, `id DESC`}
	outOfStepByKey  = []string{`skey DESC`}
)

// outOfStepBudget bounds the flagged twins a query with words reads and
// sorts; more (a shop connected for the first time to years of orders
// that disagree) are left to the full-text walk with the flagged ids as
// a set.
const outOfStepBudget = 20_000

// outOfStepFirst answers a query with words and the out-of-step filter:
// the flagged orders that pass the other filters, newest first in sort
// key order (as the walk pages), each checked against the words, up to
// limit (-1: all). It reads every flagged twin at most once, so it is
// exact; ok is false when the filter is off, there are no words, or the
// flagged twins are more than the budget.
func (ix *Index) outOfStepFirst(ctx context.Context, q SearchQuery, limit int) (page []IndexedOrder, ok bool, err error) {
	if !q.ShopOutOfStep || strings.TrimSpace(q.Q) == "" {
		return nil, false, nil
	}
	if ix.flaggedBudget <= 0 {
		return nil, false, nil // the plan is off
	}
	var flagged int
	if err := ix.db.R.QueryRowContext(ctx, `SELECT count(*) FROM order_shop`+indexedBy(ix.db, "order_shop_flagged")+` WHERE flagged = 1`).
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
	_, _, err = ix.textBatch(ctx, query, args, func(o IndexedOrder, fields string, _ int64) (bool, error) {
		if !matchWords(q.Q, &o, fields) {
			return false, nil
		}
		page = append(page, o)
		return len(page) == limit, nil
	})
	if err != nil {
		return nil, false, err
	}
	return page, true, nil
}

// outOfStepSQL is outOfStepFirst's statement (textBatch's columns): the
// flagged orders passing q's filters after its cursor, newest first by
// sort key. Its arguments include the LIMIT. ok is false when nothing
// can match.
func (ix *Index) outOfStepSQL(ctx context.Context, q SearchQuery) (query string, args []any, ok bool, err error) {
	where, args, ok := ix.flaggedFilters(q)
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
	query = ix.outOfStepSorted(indexColumns+`, o.search_fields, o.search_rowid`, where, outOfStepByKey)
	return query, append(args, noLimit), true, nil
}

// flaggedFilters is filterSQL of q without the out-of-step condition,
// which the flagged twins' join (outOfStepSorted) holds.
func (ix *Index) flaggedFilters(q SearchQuery) (where []string, args []any, ok bool) {
	q.ShopOutOfStep = false
	return ix.filterSQL(q)
}

// outOfStepSorted selects cols of the flagged orders passing where
// (conditions on order_index o), sorted by order, LIMIT ? its last
// parameter. It sorts the keys of the orders, then reads each order's row
// in that order: the sort holds keys, not rows with their search words,
// and a page reads only the rows it shows (and, with words, those it
// checks). The subquery's LIMIT keeps SQLite from merging it into the
// outer join, so its order is the order the rows come out in; PostgreSQL
// promises no order without an ORDER BY, so there the outer query sorts
// again by the subquery's keys (which a nested loop already follows).
func (ix *Index) outOfStepSorted(cols string, where, order []string) string {
	where = append(where, outOfStepJoined)
	// #nosec G202 -- every fragment is a constant; values are ? parameters
	query := `SELECT ` + cols + ` FROM (SELECT o.order_id AS id, o.created_at AS created, o.search_rowid AS skey FROM order_shop s` +
		indexedBy(ix.db, "order_shop_flagged") + ` CROSS JOIN order_index o WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY ` + strings.Join(order, `, `) + ` LIMIT ?) k CROSS JOIN order_index o WHERE o.order_id = k.id`
	if ix.db.Postgres {
		outer := make([]string, len(order))
		for i, o := range order {
			outer[i] = `k.` + o
		}
		query += ` ORDER BY ` + strings.Join(outer, `, `)
	}
	return query
}
