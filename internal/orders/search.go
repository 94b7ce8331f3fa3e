package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"ordercare/internal/omclient"
)

// Search plans (measured in docs/PERFORMANCE.md, "Order search over a
// million orders"): a query with words reads FTS5's order_search newest
// first (rowid order) and stops after one page, checking the list's
// filters on each hit; a list without words walks order_index newest
// first on its (created_at, order_id) or (status, created_at, order_id)
// index. Neither sorts the matches, so a one-letter query costs what a
// full name costs.

// sortKey is an order's rowid in order_search: milliseconds since 1970
// in the high bits and the first five hex digits of the order id in the
// low 20, so that rowid order is (created_at, order_id) order. An order
// without a creation time sorts last, as in order_index.
func sortKey(created time.Time, orderID string) int64 {
	var ms int64
	if !created.IsZero() {
		ms = min(max(created.UnixMilli(), 0), 1<<42)
	}
	var tie int64
	for i := range 5 {
		tie <<= 4
		if i < len(orderID) {
			tie |= int64(hexValue(orderID[i]))
		}
	}
	return ms<<20 | tie
}

func hexValue(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return c & 0xf
}

// freeSortKey is key, or the next value no other order holds: two orders
// created in the same millisecond whose ids start alike (about one in a
// million such pairs) stay two rows.
func freeSortKey(ctx context.Context, tx execer, key int64, orderID string) (int64, error) {
	for {
		var holder string
		err := tx.QueryRowContext(ctx, `SELECT order_id FROM order_index WHERE search_rowid = ?`, key).Scan(&holder)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && holder == orderID) {
			return key, nil
		}
		if err != nil {
			return 0, err
		}
		key++
	}
}

// Search returns one page of matching orders, newest first, with a keyset
// cursor (created_at, order_id) for the next page, so paging stays correct
// while orders are added. Each row says which of its fields matched Q.
func (ix *Index) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	ix.writeWaiting(ctx)
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	var page SearchPage
	err := ix.eachMatch(ctx, q, limit+1, func(o IndexedOrder) error {
		page.Orders = append(page.Orders, o)
		return nil
	})
	if err != nil {
		return SearchPage{}, err
	}
	if len(page.Orders) > limit {
		page.Orders = page.Orders[:limit]
		last := page.Orders[limit-1]
		page.NextCursor = encodeCursor(fmtTime(last.CreatedAt), last.OrderID)
	}
	return page, nil
}

// Each calls fn with every order matching q (from q.Cursor on), newest
// first, one row at a time: an export of a million orders holds one row
// in memory, not the list. It reads in one transaction, so the rows are
// one consistent view of the index.
func (ix *Index) Each(ctx context.Context, q SearchQuery, fn func(IndexedOrder) error) error {
	ix.writeWaiting(ctx)
	return ix.eachMatch(ctx, q, -1, fn)
}

// widenBudget bounds the rows a widened query reads before it gives way
// to the exact one: a rare word whose first three letters are common
// ("anderssen" among the "and…", "SO-0999990" among every "SO-")
// would otherwise walk most of the index.
const widenBudget = 400

// noLimit is a LIMIT that limits nothing, in both dialects.
const noLimit = math.MaxInt64

// eachMatch runs the query of q with at most limit rows (-1: all). A page
// is first tried by the plans that stop early: the filters' own index for
// a narrow band (search_filtered.go), then, for words, the widened query
// (matchExpr), which finds common words without merging their doclists;
// a rare word that the widened query cannot find within widenBudget rows
// is then read exactly, which for a rare word is cheap.
func (ix *Index) eachMatch(ctx context.Context, q SearchQuery, limit int, fn func(IndexedOrder) error) error {
	if limit > 0 {
		page, ok, err := ix.filterFirst(ctx, q, limit)
		if err != nil {
			return err
		}
		if ok {
			return emit(page, fn)
		}
	}
	filters, args, ok := ix.filterSQL(q)
	if !ok {
		return nil
	}
	if strings.TrimSpace(q.Q) == "" {
		return ix.list(ctx, q, filters, args, limit, fn)
	}
	if limit > 0 {
		m, ok, err := ix.words.match(ctx, q.Q, true)
		if err != nil || !ok {
			return err
		}
		if m.widened {
			var page []IndexedOrder
			done, err := ix.textScan(ctx, q, m, filters, args, limit, widenBudget, func(o IndexedOrder) error {
				page = append(page, o)
				return nil
			})
			if err != nil {
				return err
			}
			if done {
				return emit(page, fn)
			}
		}
	}
	m, ok, err := ix.words.match(ctx, q.Q, false)
	if err != nil || !ok {
		return err
	}
	_, err = ix.textScan(ctx, q, m, filters, args, limit, 0, fn)
	return err
}

func emit(page []IndexedOrder, fn func(IndexedOrder) error) error {
	for _, o := range page {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// textScan reads the orders of m that pass the list's filters, newest
// first from q's cursor on, keeps those that match q (all of them when m
// is exact), and calls fn with each until limit (-1: no limit) were
// kept. With a budget, it gives way (done false) after reading that many
// rows, or earlier when the page would not fill within it at the density
// of matches seen so far. A match wider than the query is read in
// batches, each starting after the last key read.
func (ix *Index) textScan(ctx context.Context, q SearchQuery, m textMatch, filters []string, fargs []any,
	limit, budget int, fn func(IndexedOrder) error) (done bool, err error) {
	var keyWhere []string
	var keyArgs []any
	// The date range also bounds the keys read (they sort by creation).
	if !q.CreatedFrom.IsZero() {
		keyWhere = append(keyWhere, m.key+` >= ?`)
		keyArgs = append(keyArgs, sortKey(q.CreatedFrom, ""))
	}
	if !q.CreatedBefore.IsZero() {
		keyWhere = append(keyWhere, m.key+` < ?`)
		keyArgs = append(keyArgs, sortKey(q.CreatedBefore, ""))
	}
	after := int64(math.MaxInt64)
	if q.Cursor != "" {
		if after, err = ix.cursorSortKey(ctx, q.Cursor); err != nil {
			return false, err
		}
	}
	keyWhere = append(keyWhere, m.key+` < ?`)
	query := m.statement(indexColumns+`, o.search_fields`, keyWhere, filters)
	args := func(batch int) []any {
		a := append(append(append([]any{}, m.args...), keyArgs...), after)
		return append(append(a, fargs...), batch)
	}
	// A match wider than the query reads in batches of a few pages where
	// a statement's rows are all sent, read or not (PostgreSQL's).
	var batch int
	switch {
	case m.exact && limit > 0:
		batch = limit
	case m.exact || m.lazy:
		batch = noLimit // one statement: one consistent view
	case limit > 0:
		batch = max(4*limit, 100)
	default:
		batch = 1000
	}
	kept, read, last := 0, 0, int64(-1)
	for {
		got, stop, err := ix.textBatch(ctx, query, args(batch), func(o IndexedOrder, fields string, key int64) (bool, error) {
			if budget > 0 && (read == budget || (read > 0 && read%100 == 0 && kept*budget < limit*read)) {
				return true, errGiveWay
			}
			read++
			after = key
			if key == last {
				return false, nil // the same order by a second term of a range
			}
			last = key
			fs := decodeFields(fields)
			if !m.exact && !matchesAll(q.Q, fs) {
				return false, nil
			}
			o.Matched, _ = matchedField(q.Q, fs)
			if err := fn(o); err != nil {
				return true, err
			}
			kept++
			return kept == limit, nil
		})
		if errors.Is(err, errGiveWay) {
			return false, nil
		}
		if err != nil || stop || got < batch {
			return err == nil, err
		}
	}
}

// errGiveWay stops a widened read that ran out of budget.
var errGiveWay = errors.New("orders: search: widened read gives way")

// textBatch runs one statement of textScan, calling row with each row
// until it says stop; got is the number of rows read.
func (ix *Index) textBatch(ctx context.Context, query string, args []any,
	row func(o IndexedOrder, fields string, key int64) (stop bool, err error)) (got int, stop bool, err error) {
	rows, err := ix.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, false, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		got++
		var fields string
		var key int64
		o, err := scanIndexed(rows, &fields, &key)
		if err != nil {
			return got, false, fmt.Errorf("orders: search: %w", err)
		}
		if stop, err := row(o, fields, key); stop || err != nil {
			return got, true, err
		}
	}
	if err := rows.Err(); err != nil {
		return got, false, fmt.Errorf("orders: search: %w", err)
	}
	return got, false, nil
}

// filterSQL is the list's filters as conditions on order_index o; ok is
// false when nothing can match (an empty OrderIDs list).
func (ix *Index) filterSQL(q SearchQuery) (where []string, args []any, ok bool) {
	if s := strings.ToUpper(strings.TrimSpace(q.Status)); s != "" {
		where = append(where, `o.status = ?`)
		args = append(args, s)
	}
	if !q.CreatedFrom.IsZero() {
		where = append(where, `o.created_at >= ?`)
		args = append(args, fmtTime(q.CreatedFrom))
	}
	if !q.CreatedBefore.IsZero() {
		where = append(where, `o.created_at < ?`)
		args = append(args, fmtTime(q.CreatedBefore))
	}
	if q.AmountMin != nil {
		where = append(where, `o.amount >= ?`)
		args = append(args, *q.AmountMin)
	}
	if q.AmountMax != nil {
		where = append(where, `o.amount <= ?`)
		args = append(args, *q.AmountMax)
	}
	if c := strings.ToUpper(strings.TrimSpace(q.Currency)); c != "" {
		where = append(where, `o.currency = ?`)
		args = append(args, c)
	}
	if !q.ExpiringBy.IsZero() {
		where = append(where, `o.status IN ('AUTHORIZED', 'PART_CAPTURED') AND o.expires_at > ? AND o.expires_at <= ?`)
		args = append(args, fmtTime(q.Now), fmtTime(q.ExpiringBy))
	}
	if q.OrderIDs != nil {
		if len(q.OrderIDs) == 0 {
			return nil, nil, false
		}
		where = append(where, idsIn(ix.db))
		ids, _ := json.Marshal(q.OrderIDs) // a list of strings always encodes
		args = append(args, string(ids))
	}
	return where, args, true
}

// list reads a list without words newest first, on order_index's
// (created_at, order_id) or (status, created_at, order_id) index.
func (ix *Index) list(ctx context.Context, q SearchQuery, where []string, args []any, limit int, fn func(IndexedOrder) error) error {
	if q.Cursor != "" {
		created, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return err
		}
		where = append(where, `(o.created_at, o.order_id) < (?, ?)`)
		args = append(args, created, id)
	}
	query := `SELECT ` + indexColumns + ` FROM order_index o`
	if !q.ExpiringBy.IsZero() {
		// Open orders newest first, their expiry in the index: the
		// walk skips the recent orders not yet due without reading
		// them (its WHERE holds the index's condition word for word).
		query += indexedBy(ix.db, "order_index_open_created")
	}
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `) // #nosec G202 -- where holds only constant fragments; values are ? parameters
	}
	if limit < 0 {
		limit = noLimit
	}
	rows, err := ix.db.R.QueryContext(ctx, query+` ORDER BY o.created_at DESC, o.order_id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		o, err := scanIndexed(rows)
		if err != nil {
			return fmt.Errorf("orders: search: %w", err)
		}
		if err := fn(o); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("orders: search: %w", err)
	}
	return nil
}

// cursorSortKey is the sort key of the cursor's order.
func (ix *Index) cursorSortKey(ctx context.Context, cursor string) (int64, error) {
	created, id, err := decodeCursor(cursor)
	if err != nil {
		return 0, err
	}
	var key sql.NullInt64
	err = ix.db.R.QueryRowContext(ctx, `SELECT search_rowid FROM order_index WHERE order_id = ?`, id).Scan(&key)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("orders: search: %w", err)
	}
	if key.Valid {
		return key.Int64, nil
	}
	return sortKey(parseTime(created), id), nil
}

// FindExact returns the one order whose order id, provider, capture or
// refund reference, or capture or refund id is exactly q (case and
// accents aside); ok is false when none or several are.
func (ix *Index) FindExact(ctx context.Context, q string) (orderID string, ok bool, err error) {
	return ix.findExact(ctx, q, FieldKind.Reference)
}

// FindReference is FindExact that also accepts the merchant's references:
// for a filter that names one order (the audit trail's), where a shared
// merchant reference simply finds nothing.
func (ix *Index) FindReference(ctx context.Context, q string) (orderID string, ok bool, err error) {
	return ix.findExact(ctx, q, func(k FieldKind) bool {
		return k.Reference() || k == KindMerchantRef1 || k == KindMerchantRef2
	})
}

func (ix *Index) findExact(ctx context.Context, q string, accept func(FieldKind) bool) (orderID string, ok bool, err error) {
	m, ok := ix.words.refs(q)
	if !ok {
		return "", false, nil
	}
	ix.writeWaiting(ctx)
	rows, err := ix.db.R.QueryContext(ctx, m.statement(`o.order_id, o.search_fields`, nil, nil), append(m.args, 3)...)
	if err != nil {
		return "", false, fmt.Errorf("orders: exact search: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var id, fields string
		var key int64
		if err := rows.Scan(&id, &fields, &key); err != nil {
			return "", false, fmt.Errorf("orders: exact search: %w", err)
		}
		if exactField(q, decodeFields(fields), accept) {
			found = append(found, id)
		}
	}
	if err := rows.Err(); err != nil {
		return "", false, fmt.Errorf("orders: exact search: %w", err)
	}
	if len(found) != 1 {
		return "", false, nil
	}
	return found[0], true, nil
}

// backfill gives orders indexed before full-text search their words,
// from the columns the index holds (references, e-mail, name); the next
// read of each order adds the rest (captures, refunds, phone).
func (ix *Index) backfill(ctx context.Context) error {
	for {
		rows, err := ix.db.W.QueryContext(ctx, `SELECT order_id, merchant_reference1, merchant_reference2,
			klarna_reference, email, customer_name, created_at FROM order_index WHERE search_rowid IS NULL LIMIT 500`)
		if err != nil {
			return err
		}
		var batch []*omclient.Order
		for rows.Next() {
			o := &omclient.Order{BillingAddress: &omclient.Address{}}
			var mr1, mr2, kr, email, name, created string
			if err := rows.Scan(&o.OrderID, &mr1, &mr2, &kr, &email, &name, &created); err != nil {
				_ = rows.Close() // the scan error is the one to report
				return err
			}
			o.MerchantReference1, o.MerchantReference2, o.KlarnaReference = omclient.Text(mr1), omclient.Text(mr2), omclient.Text(kr)
			o.BillingAddress.Email, o.BillingAddress.GivenName = omclient.Text(email), omclient.Text(name)
			o.CreatedAt = omclient.Time{Time: parseTime(created)}
			batch = append(batch, o)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		if err := ix.backfillBatch(ctx, batch); err != nil {
			return err
		}
	}
}

func (ix *Index) backfillBatch(ctx context.Context, batch []*omclient.Order) error {
	tx, err := ix.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, o := range batch {
		fields := searchFields(o)
		rowid, err := freeSortKey(ctx, tx, sortKey(o.CreatedAt.Time, o.OrderID), o.OrderID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE order_index SET search_rowid = ?, search_fields = ? WHERE order_id = ?`,
			rowid, encodeFields(fields), o.OrderID); err != nil {
			return err
		}
		if err := ix.words.put(ctx, tx, rowid, fields); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// exactField reports whether one of the accepted fields is q as a whole.
func exactField(q string, fields []Field, accept func(FieldKind) bool) bool {
	want := strings.Join(tokens(fold(q)), " ")
	for _, f := range fields {
		if accept(f.Kind) && strings.Join(tokens(fold(f.Value)), " ") == want {
			return true
		}
	}
	return false
}
