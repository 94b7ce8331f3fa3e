package orders

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
)

// A list narrowed by currency and an amount band (with or without words)
// is answered filter first: the orders the two filters select are read
// through order_index_currency_amount, every other filter and the words
// are checked on each, and the matches are sorted newest first. Walking
// newest first instead reads the rows of a common word ("anna", a quarter
// of the customers) until a page passes the filters, 30,000 rows for a
// band holding one order in 1,200 of hers (docs/PERFORMANCE.md, section
// 6). Filter first is taken only when the band holds at most
// filterFirstBudget orders, counted on the index alone; a wider band is
// walked newest first as before, which then fills a page quickly.
const filterFirstBudget = 2000

// filterFirst is that plan for one page (at most limit orders); ok is
// false when q has no currency and amount band, or the band holds more
// than filterFirstBudget orders.
func (ix *Index) filterFirst(ctx context.Context, q SearchQuery, limit int) (page []IndexedOrder, ok bool, err error) {
	cur := strings.ToUpper(strings.TrimSpace(q.Currency))
	if cur == "" || (q.AmountMin == nil && q.AmountMax == nil) {
		return nil, false, nil
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if q.AmountMin != nil {
		lo = *q.AmountMin
	}
	if q.AmountMax != nil {
		hi = *q.AmountMax
	}
	var n int
	if err := ix.db.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM order_index INDEXED BY order_index_currency_amount
		WHERE currency = ? AND amount BETWEEN ? AND ? LIMIT ?)`, cur, lo, hi, ix.filterBudget+1).Scan(&n); err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	if n > ix.filterBudget {
		return nil, false, nil
	}
	keep, err := ix.rowFilter(ctx, q)
	if err != nil {
		return nil, false, err
	}
	rows, err := ix.db.R.QueryContext(ctx, `SELECT `+indexColumns+`, o.search_fields, o.search_rowid
		FROM order_index o INDEXED BY order_index_currency_amount WHERE o.currency = ? AND o.amount BETWEEN ? AND ?`, cur, lo, hi)
	if err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	type match struct {
		o   IndexedOrder
		key int64
	}
	var found []match
	text := strings.TrimSpace(q.Q) != ""
	for rows.Next() {
		var fields string
		var key sql.NullInt64
		o, err := scanIndexed(rows, &fields, &key)
		if err != nil {
			return nil, false, fmt.Errorf("orders: search: %w", err)
		}
		if !keep(o, key) {
			continue
		}
		if text {
			fs := decodeFields(fields)
			if !key.Valid || !matchesAll(q.Q, fs) {
				continue // an order without words is not in order_search either
			}
			o.Matched, _ = matchedField(q.Q, fs)
		}
		found = append(found, match{o, key.Int64})
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	// Newest first in the order of the walk this replaces: a text query's
	// pages follow order_search's rowids, a list's (created_at, order_id).
	slices.SortFunc(found, func(a, b match) int {
		if text {
			return -cmpInt(a.key, b.key)
		}
		if c := strings.Compare(fmtTime(b.o.CreatedAt), fmtTime(a.o.CreatedAt)); c != 0 {
			return c
		}
		return strings.Compare(b.o.OrderID, a.o.OrderID)
	})
	page = make([]IndexedOrder, 0, min(limit, len(found)))
	for _, m := range found[:min(limit, len(found))] {
		page = append(page, m.o)
	}
	return page, true, nil
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// rowFilter is searchSQL's WHERE, but for the currency and the amount,
// as a check of one row (with its order_search rowid), including the
// cursor: the same strings compared the same way as in SQL.
func (ix *Index) rowFilter(ctx context.Context, q SearchQuery) (func(IndexedOrder, sql.NullInt64) bool, error) {
	status := strings.ToUpper(strings.TrimSpace(q.Status))
	from, before := fmtTime(q.CreatedFrom), fmtTime(q.CreatedBefore)
	now, by := fmtTime(q.Now), fmtTime(q.ExpiringBy)
	var ids map[string]bool
	if q.OrderIDs != nil {
		ids = make(map[string]bool, len(q.OrderIDs))
		for _, id := range q.OrderIDs {
			ids[id] = true
		}
	}
	text := strings.TrimSpace(q.Q) != ""
	var afterCreated, afterID string
	var afterKey int64
	if q.Cursor != "" {
		var err error
		if text {
			if afterKey, err = ix.cursorSortKey(ctx, q.Cursor); err != nil {
				return nil, err
			}
		} else if afterCreated, afterID, err = decodeCursor(q.Cursor); err != nil {
			return nil, err
		}
	}
	return func(o IndexedOrder, key sql.NullInt64) bool {
		created := fmtTime(o.CreatedAt)
		switch {
		case status != "" && string(o.Status) != status,
			from != "" && created < from,
			before != "" && created >= before,
			ids != nil && !ids[o.OrderID]:
			return false
		}
		if by != "" {
			expires := fmtTime(o.ExpiresAt)
			open := o.Status == "AUTHORIZED" || o.Status == "PART_CAPTURED"
			if !open || expires <= now || expires > by {
				return false
			}
		}
		if q.Cursor != "" {
			if text {
				return key.Valid && key.Int64 < afterKey
			}
			return created < afterCreated || (created == afterCreated && o.OrderID < afterID)
		}
		return true
	}, nil
}
