package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
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

// insertWords writes the full-text row of one order.
func insertWords(ctx context.Context, tx execer, rowid int64, fields []Field) error {
	cols := map[string][]string{}
	for _, f := range fields {
		c := f.Kind.Column()
		cols[c] = append(cols[c], indexText(f))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO order_search (rowid, names, emails, phones, refs) VALUES (?,?,?,?,?)`,
		rowid, strings.Join(cols["names"], " "), strings.Join(cols["emails"], " "),
		strings.Join(cols["phones"], " "), strings.Join(cols["refs"], " "))
	return err
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

// eachMatch runs the query of q with at most limit rows (-1: all). A page
// of a text query is first read through the widened query (matchExpr),
// which finds common words without merging their doclists; a rare word
// that the widened query cannot find within widenBudget rows is then
// read exactly, which for a rare word is cheap.
func (ix *Index) eachMatch(ctx context.Context, q SearchQuery, limit int, fn func(IndexedOrder) error) error {
	// The flagged twins answer the out-of-step filter exactly, a page or
	// all; a page is otherwise first tried by the plans that stop early:
	// the filters' own index for a narrow band, then the widened words.
	plans := []func(context.Context, SearchQuery, int) ([]IndexedOrder, bool, error){ix.outOfStepFirst}
	if limit > 0 {
		plans = append(plans, ix.filterFirst)
		if strings.TrimSpace(q.Q) != "" {
			plans = append(plans, ix.widenedPage)
		}
	}
	for _, plan := range plans {
		page, ok, err := plan(ctx, q, limit)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		for _, o := range page {
			if err := fn(o); err != nil {
				return err
			}
		}
		return nil
	}
	query, args, ok, _, err := ix.searchSQL(ctx, q, false)
	if err != nil || !ok {
		return err
	}
	rows, err := ix.db.R.QueryContext(ctx, query, append(args, limit)...)
	if err != nil {
		return fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	text := strings.TrimSpace(q.Q) != ""
	for rows.Next() {
		var fields string
		o, err := scanIndexed(rows, &fields)
		if err != nil {
			return fmt.Errorf("orders: search: %w", err)
		}
		if text {
			o.Matched, _ = matchedField(q.Q, decodeFields(fields))
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

// widenedPage reads up to limit orders matching q through the widened
// query, checking each row against q; ok is false when no word was cut or
// the budget ran out first (the caller then runs the exact query).
func (ix *Index) widenedPage(ctx context.Context, q SearchQuery, limit int) (page []IndexedOrder, ok bool, err error) {
	query, args, ok, widened, err := ix.searchSQL(ctx, q, true)
	if err != nil || !ok || !widened {
		return nil, false, err
	}
	rows, err := ix.db.R.QueryContext(ctx, query, append(args, -1)...)
	if err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	// Every 100 rows, give way when the page would not fill within the
	// budget at the density of matches seen so far.
	return pageOfMatches(rows, q.Q, limit, func(read, found int) bool {
		return read == widenBudget || (read > 0 && read%100 == 0 && found*widenBudget < limit*read)
	})
}

// pageOfMatches reads rows (indexColumns, then search_fields) until limit
// of them (-1: all) hold every word of q. giveUp, when not nil, is asked
// before each row with the rows read and the matches found so far; when
// it says so the read ends without an answer (ok false).
func pageOfMatches(rows *sql.Rows, q string, limit int, giveUp func(read, found int) bool) (page []IndexedOrder, ok bool, err error) {
	for read := 0; rows.Next(); read++ {
		if giveUp != nil && giveUp(read, len(page)) {
			return nil, false, nil
		}
		var fields string
		o, err := scanIndexed(rows, &fields)
		if err != nil {
			return nil, false, fmt.Errorf("orders: search: %w", err)
		}
		if !matchWords(q, &o, fields) {
			continue
		}
		if page = append(page, o); len(page) == limit {
			break
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("orders: search: %w", err)
	}
	return page, true, nil
}

// matchWords reports whether an order's stored search fields hold every
// word of q (as the full-text query would find it), and sets o.Matched to
// the field shown as the match: the check of the plans that read rows
// before knowing whether the words are there.
func matchWords(q string, o *IndexedOrder, fields string) bool {
	fs := decodeFields(fields)
	if !matchesAll(q, fs) {
		return false
	}
	o.Matched, _ = matchedField(q, fs)
	return true
}

// searchSQL is the statement of q, its LIMIT the last parameter; ok is
// false when nothing can match (a query of punctuation only, an empty
// OrderIDs list).
func (ix *Index) searchSQL(ctx context.Context, q SearchQuery, widen bool) (query string, args []any, ok, widened bool, err error) {
	where, args, ok := filterWhere(q)
	if !ok {
		return "", nil, false, false, nil
	}
	if strings.TrimSpace(q.Q) == "" {
		if q.Cursor != "" {
			created, id, err := decodeCursor(q.Cursor)
			if err != nil {
				return "", nil, false, false, err
			}
			where = append(where, `(o.created_at, o.order_id) < (?, ?)`)
			args = append(args, created, id)
		}
		if q.ShopOutOfStep {
			// The flagged twins, few whatever the number of orders, are
			// read and sorted (search_shop.go).
			return outOfStepList(where), args, true, false, nil
		}
		from := `order_index o`
		if !q.ExpiringBy.IsZero() {
			// Open orders newest first, their expiry in the index: the
			// walk skips the recent orders not yet due without reading
			// them (its WHERE holds the index's condition word for word).
			from += ` INDEXED BY order_index_open_created`
		}
		query = `SELECT ` + indexColumns + `, o.search_fields FROM ` + from
		if len(where) > 0 {
			query += ` WHERE ` + strings.Join(where, ` AND `) // #nosec G202 -- where holds only constant fragments; values are ? parameters
		}
		return query + ` ORDER BY o.created_at DESC, o.order_id DESC LIMIT ?`, args, true, false, nil
	}
	if q.ShopOutOfStep {
		where = append(where, outOfStepIn)
	}
	expr, widened := matchExpr(q.Q, widen)
	if expr == "" {
		return "", nil, false, false, nil // only punctuation: nothing can match
	}
	where = append(where, `order_search MATCH ?`)
	args = append(args, expr)
	// The date range also bounds the rowids read (they sort by creation).
	if !q.CreatedFrom.IsZero() {
		where = append(where, `order_search.rowid >= ?`)
		args = append(args, sortKey(q.CreatedFrom, ""))
	}
	if !q.CreatedBefore.IsZero() {
		where = append(where, `order_search.rowid < ?`)
		args = append(args, sortKey(q.CreatedBefore, ""))
	}
	if q.Cursor != "" {
		after, err := ix.cursorSortKey(ctx, q.Cursor)
		if err != nil {
			return "", nil, false, false, err
		}
		where = append(where, `order_search.rowid < ?`)
		args = append(args, after)
	}
	// CROSS JOIN keeps order_search the outer loop, read in rowid order:
	// the plan that stops after one page.
	query = `SELECT ` + indexColumns + `, o.search_fields FROM order_search CROSS JOIN order_index o
		ON o.search_rowid = order_search.rowid WHERE ` + strings.Join(where, ` AND `) + // #nosec G202 -- where holds only constant fragments; values are ? parameters
		` ORDER BY order_search.rowid DESC LIMIT ?`
	return query, args, true, widened, nil
}

// filterWhere is the list's filters (all but the words and the cursor) as
// conditions on order_index o; ok is false when nothing can match (an
// empty OrderIDs list).
func filterWhere(q SearchQuery) (where []string, args []any, ok bool) {
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
		where = append(where, `o.order_id IN (SELECT value FROM json_each(?))`)
		ids, _ := json.Marshal(q.OrderIDs) // a list of strings always encodes
		args = append(args, string(ids))
	}
	return where, args, true
}

// cursorSortKey is the order_search rowid of the cursor's order.
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
	words := queryWords(q)
	if len(words) == 0 {
		return "", false, nil
	}
	var phrase []string
	for _, w := range words {
		phrase = append(phrase, strings.ReplaceAll(w, `"`, `""`))
	}
	ix.writeWaiting(ctx)
	rows, err := ix.db.R.QueryContext(ctx, `SELECT o.order_id, o.search_fields FROM order_search CROSS JOIN order_index o
		ON o.search_rowid = order_search.rowid WHERE order_search MATCH ? ORDER BY order_search.rowid DESC LIMIT 3`,
		`refs : "`+strings.Join(phrase, " ")+`"`)
	if err != nil {
		return "", false, fmt.Errorf("orders: exact search: %w", err)
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var id, fields string
		if err := rows.Scan(&id, &fields); err != nil {
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
		if err := insertWords(ctx, tx, rowid, fields); err != nil {
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
