package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"ordercare/internal/omclient"
)

// A list narrowed by currency and an amount band (with or without words)
// is answered filter first: the band's entries of
// order_index_currency_amount, which hold each order's place in the list,
// are read from the index alone and sorted newest first, then the orders
// are read in that order, each checked against the other filters and the
// words, until a page is full. Walking newest first instead reads the
// rows of a common word ("anna", a quarter of the customers) until a page
// passes the filters: thousands of rows for a band holding one order in
// 120 of hers (docs/PERFORMANCE.md, section 6).
const (
	// filterFirstBudget bounds the band's index entries read; a wider
	// band is walked newest first, which then fills a page quickly.
	filterFirstBudget = 20_000
	// filterFirstReads bounds the orders read from a sorted band before
	// giving way to the walk: the words or the other filters are rare in
	// the band, and the full-text index finds rare words cheaply.
	filterFirstReads = 1_000
)

// filterFirst is that plan for one page (at most limit orders); ok is
// false when q has no currency and amount band, or the band or the reads
// run over their budgets.
func (ix *Index) filterFirst(ctx context.Context, q SearchQuery, limit int) (page []IndexedOrder, ok bool, err error) {
	cur := strings.ToUpper(strings.TrimSpace(q.Currency))
	// The out-of-step filter has plans of its own (search_shop.go); a
	// band's rows do not say whether their twin is flagged.
	if cur == "" || (q.AmountMin == nil && q.AmountMax == nil) || q.ShopOutOfStep {
		return nil, false, nil
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if q.AmountMin != nil {
		lo = *q.AmountMin
	}
	if q.AmountMax != nil {
		hi = *q.AmountMax
	}
	band, over, err := ix.band(ctx, q, cur, lo, hi)
	if err != nil || over {
		return nil, false, err
	}
	text := strings.TrimSpace(q.Q) != ""
	keep := rowFilter(q)
	var rows map[string]indexedFields
	for i, e := range band {
		if i == filterFirstReads {
			return nil, false, nil
		}
		if i%bandChunk == 0 {
			// The next orders of the band in one statement: on
			// PostgreSQL a statement per order was a round trip each.
			if rows, err = ix.indexedRows(ctx, band[i:min(i+bandChunk, len(band))]); err != nil {
				return nil, false, err
			}
		}
		r, found := rows[e.orderID]
		o, fields := r.o, r.fields
		if !found || !keep(o) {
			continue
		}
		if text && !matchWords(q.Q, &o, fields) {
			continue
		}
		if page = append(page, o); len(page) == limit {
			break
		}
	}
	return page, true, nil
}

// bandEntry is one order of a band as the index holds it.
type bandEntry struct {
	created, orderID string
	key              sql.NullInt64
}

// band reads the band's entries from the index alone, keeps those the
// cursor and the date range let through, and sorts them newest first as
// the walk would: a text query's pages follow order_search's rowids (an
// order without one has no words), a list's (created_at, order_id). over
// is true when the band holds more than the budget (filterFirstBudget).
func (ix *Index) band(ctx context.Context, q SearchQuery, cur string, lo, hi int64) (band []bandEntry, over bool, err error) {
	if ix.filterBudget <= 0 {
		return nil, true, nil // the plan is off
	}
	text := strings.TrimSpace(q.Q) != ""
	from, before := fmtTime(q.CreatedFrom), fmtTime(q.CreatedBefore)
	after, err := ix.bandCursor(ctx, q, text)
	if err != nil {
		return nil, false, err
	}
	rows, err := ix.db.Query(ctx, `SELECT created_at, order_id, search_rowid FROM order_index`+indexedBy(ix.db, "order_index_currency_amount")+`
		WHERE currency = ? AND amount BETWEEN ? AND ? LIMIT ?`, cur, lo, hi, ix.filterBudget+1)
	if err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var e bandEntry
		if err := rows.Scan(&e.created, &e.orderID, &e.key); err != nil {
			return nil, false, fmt.Errorf("orders: search: %w", err)
		}
		if n++; n > ix.filterBudget {
			return nil, true, nil
		}
		if (from != "" && e.created < from) || (before != "" && e.created >= before) || (text && !e.key.Valid) || !after(e) {
			continue
		}
		band = append(band, e)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	slices.SortFunc(band, func(a, b bandEntry) int {
		if text {
			return -cmpInt(a.key.Int64, b.key.Int64)
		}
		if c := strings.Compare(b.created, a.created); c != 0 {
			return c
		}
		return strings.Compare(b.orderID, a.orderID)
	})
	return band, false, nil
}

// bandCursor says whether an entry comes after q's cursor, as textScan and listSQL
// compares it: by order_search rowid for words, else by (created_at,
// order_id).
func (ix *Index) bandCursor(ctx context.Context, q SearchQuery, text bool) (func(bandEntry) bool, error) {
	if q.Cursor == "" {
		return func(bandEntry) bool { return true }, nil
	}
	if text {
		key, err := ix.cursorSortKey(ctx, q.Cursor)
		if err != nil {
			return nil, err
		}
		return func(e bandEntry) bool { return e.key.Int64 < key }, nil
	}
	created, id, err := decodeCursor(q.Cursor)
	if err != nil {
		return nil, err
	}
	return func(e bandEntry) bool { return e.created < created || (e.created == created && e.orderID < id) }, nil
}

// bandChunk is how many orders of a band are read per statement.
const bandChunk = 64

type indexedFields struct {
	o      IndexedOrder
	fields string
}

// indexedRows reads the rows and stored search fields of the band's
// entries, by order id; an order removed since the band was read is
// missing.
func (ix *Index) indexedRows(ctx context.Context, entries []bandEntry) (map[string]indexedFields, error) {
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.orderID
	}
	list, _ := json.Marshal(ids) // a list of strings always encodes
	rows, err := ix.db.Query(ctx, `SELECT `+indexColumns+`, o.search_fields FROM order_index o WHERE `+idsIn(ix.db), string(list))
	if err != nil {
		return nil, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	out := make(map[string]indexedFields, len(entries))
	for rows.Next() {
		var fields string
		o, err := scanIndexed(rows, &fields)
		if err != nil {
			return nil, fmt.Errorf("orders: search: %w", err)
		}
		out[o.OrderID] = indexedFields{o, fields}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("orders: search: %w", err)
	}
	return out, nil
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

// rowFilter is the rest of filterSQL's conditions (the status, the expiry
// window, the order ids) as a check of one row: the same strings compared
// the same way as in SQL.
func rowFilter(q SearchQuery) func(IndexedOrder) bool {
	status := strings.ToUpper(strings.TrimSpace(q.Status))
	now, by := fmtTime(q.Now), fmtTime(q.ExpiringBy)
	var ids map[string]bool
	if q.OrderIDs != nil {
		ids = make(map[string]bool, len(q.OrderIDs))
		for _, id := range q.OrderIDs {
			ids[id] = true
		}
	}
	return func(o IndexedOrder) bool {
		if (status != "" && string(o.Status) != status) || (ids != nil && !ids[o.OrderID]) {
			return false
		}
		if by != "" {
			expires := fmtTime(o.ExpiresAt)
			open := o.Status == omclient.StatusAuthorized || o.Status == omclient.StatusPartCaptured
			if !open || expires <= now || expires > by {
				return false
			}
		}
		return true
	}
}
