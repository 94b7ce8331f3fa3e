package orders

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
)

// Index is the local index of orders the admin has seen, in admin.db. The
// provider has no search, so agents find an order by what they hold (a
// merchant reference, the provider's short reference, the customer's e-mail
// or name) through this index; it is filled whenever an order is fetched.
type Index struct {
	db     *db.DB
	behind behind // behind.go
}

// indexMigrations of component "orders" in admin.db. Append-only.
var indexMigrations = []string{
	// 1: one row per order for listing, plus one row per searchable key
	// (lower-cased) so that a prefix match on any key is one index range
	// scan; and the per-staff "recently viewed" list.
	`CREATE TABLE order_index (
		order_id                    TEXT PRIMARY KEY,
		merchant_reference1         TEXT NOT NULL DEFAULT '',
		merchant_reference2         TEXT NOT NULL DEFAULT '',
		klarna_reference            TEXT NOT NULL DEFAULT '',
		email                       TEXT NOT NULL DEFAULT '',
		customer_name               TEXT NOT NULL DEFAULT '',
		status                      TEXT NOT NULL DEFAULT '',
		amount                      INTEGER NOT NULL DEFAULT 0,
		remaining_authorized_amount INTEGER NOT NULL DEFAULT 0,
		currency                    TEXT NOT NULL DEFAULT '',
		created_at                  TEXT NOT NULL DEFAULT '',
		expires_at                  TEXT NOT NULL DEFAULT '',
		last_read_at                TEXT NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX order_index_created ON order_index(created_at, order_id);
	CREATE INDEX order_index_status ON order_index(status, created_at, order_id);
	CREATE INDEX order_index_expires ON order_index(expires_at) WHERE status IN ('AUTHORIZED', 'PART_CAPTURED');
	CREATE TABLE order_search_keys (
		key      TEXT NOT NULL,
		order_id TEXT NOT NULL REFERENCES order_index(order_id) ON DELETE CASCADE,
		PRIMARY KEY (key, order_id)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX order_search_keys_order ON order_search_keys(order_id);
	CREATE TABLE order_views (
		staff_id  INTEGER NOT NULL,
		order_id  TEXT NOT NULL,
		viewed_at TEXT NOT NULL,
		PRIMARY KEY (staff_id, order_id)
	) STRICT;
	CREATE INDEX order_views_recent ON order_views(staff_id, viewed_at);`,
}

// keepViews is how many recently viewed orders are kept per staff member.
const keepViews = 50

// DefaultPageSize is the number of search results per page.
const DefaultPageSize = 25

// MaxPageSize caps SearchQuery.Limit.
const MaxPageSize = 200

// ErrBadCursor is returned for a cursor Search did not produce.
var ErrBadCursor = errors.New("orders: bad search cursor")

// IndexedOrder is one row of the index: what a result row shows.
type IndexedOrder struct {
	OrderID             string
	MerchantReference1  string
	MerchantReference2  string
	KlarnaReference     string
	Email               string
	CustomerName        string
	Status              omclient.Status
	Amount              int64 // order amount, minor units
	RemainingAuthorized int64
	Currency            string
	CreatedAt           time.Time // zero when the provider sent none
	ExpiresAt           time.Time
	LastReadAt          time.Time
	// ViewedAt is set by RecentlyViewed.
	ViewedAt time.Time
}

// SearchQuery selects orders. Q matches, case-insensitively, the start of a
// merchant reference, the provider reference, the order id, a customer
// e-mail, given or family name, full name ("given family") or organisation.
type SearchQuery struct {
	Q      string
	Status string // "" = any
	Cursor string // from SearchPage.NextCursor
	Limit  int    // 0 = DefaultPageSize
}

// SearchPage is one page of results, newest first.
type SearchPage struct {
	Orders []IndexedOrder
	// NextCursor fetches the next page; "" on the last page.
	NextCursor string
}

// OpenIndex migrates the index tables in admin.db.
func OpenIndex(ctx context.Context, d *db.DB) (*Index, error) {
	if err := d.Migrate(ctx, "orders", indexMigrations); err != nil {
		return nil, fmt.Errorf("orders: index: %w", err)
	}
	ix := &Index{db: d}
	ix.behind.init()
	return ix, nil
}

const timeLayout = "2006-01-02T15:04:05.000000000Z" // fixed width: sorts as text

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// ReadFreshness bounds how stale an order's "last read" time may be when
// Upsert skips its write. The UI shows the time to the minute, so a bound
// of one minute keeps it off by at most one displayed minute, while the
// many reads of unchanged orders (every order page, by every agent) cost
// no write transaction: the order page's profile had the index upsert as
// one of three writes per page, which together took 43 % of its CPU.
const ReadFreshness = time.Minute

// Upsert records the order as read at seenAt, replacing its search keys.
// When the index already holds exactly these values and keys, and the
// stored read time is less than ReadFreshness before seenAt, it writes
// nothing: the row is right and its "last read" honest within the bound.
// A read older than the one stored changes nothing: two reads of one order
// written out of order (one of them behind a page, UpsertLater) leave the
// later one.
func (ix *Index) Upsert(ctx context.Context, o *omclient.Order, seenAt time.Time) error {
	if o == nil || o.OrderID == "" {
		return errors.New("orders: index: order without id")
	}
	email, name := contact(o)
	row := indexRow{
		MerchantReference1: string(o.MerchantReference1), MerchantReference2: string(o.MerchantReference2),
		KlarnaReference: string(o.KlarnaReference), Email: email, CustomerName: name, Status: string(o.Status),
		Amount: o.OrderAmount, RemainingAuthorized: o.RemainingAuthorizedAmount, Currency: o.PurchaseCurrency.String(),
		CreatedAt: fmtTime(o.CreatedAt.Time), ExpiresAt: fmtTime(o.ExpiresAt.Time),
		Keys: strings.Join(sortedKeys(o), "\x00"),
	}
	if fresh, err := ix.unchanged(ctx, o.OrderID, row, seenAt); err != nil {
		return err
	} else if fresh {
		return nil
	}
	tx, err := ix.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	res, err := tx.ExecContext(ctx, `INSERT INTO order_index (order_id, merchant_reference1, merchant_reference2,
		klarna_reference, email, customer_name, status, amount, remaining_authorized_amount, currency,
		created_at, expires_at, last_read_at)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (order_id) DO UPDATE SET merchant_reference1 = excluded.merchant_reference1,
		merchant_reference2 = excluded.merchant_reference2, klarna_reference = excluded.klarna_reference,
		email = excluded.email, customer_name = excluded.customer_name, status = excluded.status,
		amount = excluded.amount, remaining_authorized_amount = excluded.remaining_authorized_amount,
		currency = excluded.currency, created_at = excluded.created_at, expires_at = excluded.expires_at,
		last_read_at = excluded.last_read_at
		WHERE excluded.last_read_at >= order_index.last_read_at`,
		o.OrderID, string(o.MerchantReference1), string(o.MerchantReference2), string(o.KlarnaReference),
		email, name, string(o.Status), o.OrderAmount, o.RemainingAuthorizedAmount, o.PurchaseCurrency.String(),
		fmtTime(o.CreatedAt.Time), fmtTime(o.ExpiresAt.Time), fmtTime(seenAt))
	if err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	} else if n == 0 {
		return nil // a later read is stored: its keys stay too
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM order_search_keys WHERE order_id = ?`, o.OrderID); err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	for _, k := range sortedKeys(o) {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO order_search_keys (key, order_id) VALUES (?, ?)`, k, o.OrderID); err != nil {
			return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	return nil
}

// indexRow is what the index holds for one order, apart from its read
// time: the columns of order_index and the search keys (sorted, distinct,
// joined with NUL, which no key contains after normalize).
type indexRow struct {
	MerchantReference1, MerchantReference2, KlarnaReference string
	Email, CustomerName, Status                             string
	Amount, RemainingAuthorized                             int64
	Currency, CreatedAt, ExpiresAt, Keys                    string
}

const unchangedQuery = `SELECT merchant_reference1, merchant_reference2, klarna_reference,
		email, customer_name, status, amount, remaining_authorized_amount, currency, created_at, expires_at,
		last_read_at, (SELECT group_concat(key, char(0) ORDER BY key) FROM order_search_keys WHERE order_id = ?1)
		FROM order_index WHERE order_id = ?1`

// unchanged reports whether the index already holds row for the order with
// a read time less than ReadFreshness before seenAt: one read on the
// reader pool instead of a write transaction.
func (ix *Index) unchanged(ctx context.Context, orderID string, row indexRow, seenAt time.Time) (bool, error) {
	var got indexRow
	var read string
	var keys sql.NullString
	// db.QueryRow: the statement is prepared once per reader connection,
	// which halves the cost of the check (BenchmarkUpsertUnchanged).
	err := ix.db.QueryRow(ctx, unchangedQuery, orderID).Scan(&got.MerchantReference1, &got.MerchantReference2,
		&got.KlarnaReference, &got.Email, &got.CustomerName, &got.Status, &got.Amount, &got.RemainingAuthorized,
		&got.Currency, &got.CreatedAt, &got.ExpiresAt, &read, &keys)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("orders: index %s: %w", orderID, err)
	}
	got.Keys = keys.String
	if got != row {
		return false, nil
	}
	last := parseTime(read)
	return !last.IsZero() && seenAt.Sub(last) < ReadFreshness, nil
}

// sortedKeys is searchKeys sorted and without repeats, the order in which
// the index returns them.
func sortedKeys(o *omclient.Order) []string {
	return slices.Compact(slices.Sorted(slices.Values(searchKeys(o))))
}

// CustomerName is the order's customer as result rows show them (billing
// name first, shipping when billing lacks one; "" when neither has one).
func CustomerName(o *omclient.Order) string {
	_, name := contact(o)
	return name
}

// contact is the e-mail and display name shown in result rows: billing
// first, shipping when billing lacks them.
func contact(o *omclient.Order) (email, name string) {
	for _, a := range []*omclient.Address{o.BillingAddress, o.ShippingAddress} {
		if a == nil {
			continue
		}
		if email == "" {
			email = strings.TrimSpace(string(a.Email))
		}
		if name == "" {
			name = strings.TrimSpace(strings.Join(strings.Fields(string(a.GivenName)+" "+string(a.FamilyName)), " "))
			if name == "" {
				name = strings.TrimSpace(string(a.OrganizationName))
			}
		}
	}
	return email, name
}

// searchKeys lists the lower-cased values a query prefix may match.
func searchKeys(o *omclient.Order) []string {
	var keys []string
	add := func(s string) {
		s = normalize(s)
		if s != "" {
			keys = append(keys, s)
		}
	}
	add(o.OrderID)
	add(string(o.MerchantReference1))
	add(string(o.MerchantReference2))
	add(string(o.KlarnaReference))
	for _, a := range []*omclient.Address{o.BillingAddress, o.ShippingAddress} {
		if a == nil {
			continue
		}
		add(string(a.Email))
		add(string(a.GivenName))
		add(string(a.FamilyName))
		add(string(a.GivenName) + " " + string(a.FamilyName))
		add(string(a.OrganizationName))
	}
	return keys
}

// normalize lower-cases and collapses white space, for keys and queries alike.
func normalize(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// prefixBound is the smallest string greater than every string that starts
// with p: SQLite compares text bytewise, and U+10FFFF encodes above any
// valid UTF-8 continuation.
func prefixBound(p string) string { return p + string(utf8.MaxRune) }

const indexColumns = `o.order_id, o.merchant_reference1, o.merchant_reference2, o.klarna_reference, o.email,
	o.customer_name, o.status, o.amount, o.remaining_authorized_amount, o.currency, o.created_at, o.expires_at, o.last_read_at`

func scanIndexed(s interface{ Scan(...any) error }, extra ...any) (IndexedOrder, error) {
	var o IndexedOrder
	var status, created, expires, read string
	dest := append([]any{&o.OrderID, &o.MerchantReference1, &o.MerchantReference2, &o.KlarnaReference, &o.Email,
		&o.CustomerName, &status, &o.Amount, &o.RemainingAuthorized, &o.Currency, &created, &expires, &read}, extra...)
	if err := s.Scan(dest...); err != nil {
		return IndexedOrder{}, err
	}
	o.Status = omclient.Status(status)
	o.CreatedAt, o.ExpiresAt, o.LastReadAt = parseTime(created), parseTime(expires), parseTime(read)
	return o, nil
}

// Search returns one page of matching orders, newest first, with a keyset
// cursor (created_at, order_id) for the next page, so paging stays correct
// while orders are added.
func (ix *Index) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	ix.writeWaiting(ctx)
	limit := q.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	var where []string
	var args []any
	if p := normalize(q.Q); p != "" {
		where = append(where, `o.order_id IN (SELECT order_id FROM order_search_keys WHERE key >= ? AND key < ?)`)
		args = append(args, p, prefixBound(p))
	}
	if s := strings.ToUpper(strings.TrimSpace(q.Status)); s != "" {
		where = append(where, `o.status = ?`)
		args = append(args, s)
	}
	if q.Cursor != "" {
		created, id, err := decodeCursor(q.Cursor)
		if err != nil {
			return SearchPage{}, err
		}
		where = append(where, `(o.created_at, o.order_id) < (?, ?)`)
		args = append(args, created, id)
	}
	query := `SELECT ` + indexColumns + ` FROM order_index o`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `) // #nosec G202 -- where holds only the constant fragments above; values are ? parameters in args
	}
	query += ` ORDER BY o.created_at DESC, o.order_id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := ix.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return SearchPage{}, fmt.Errorf("orders: search: %w", err)
	}
	defer rows.Close()
	var page SearchPage
	for rows.Next() {
		o, err := scanIndexed(rows)
		if err != nil {
			return SearchPage{}, fmt.Errorf("orders: search: %w", err)
		}
		page.Orders = append(page.Orders, o)
	}
	if err := rows.Err(); err != nil {
		return SearchPage{}, fmt.Errorf("orders: search: %w", err)
	}
	if len(page.Orders) > limit {
		page.Orders = page.Orders[:limit]
		last := page.Orders[limit-1]
		page.NextCursor = encodeCursor(fmtTime(last.CreatedAt), last.OrderID)
	}
	return page, nil
}

func encodeCursor(created, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(created + "|" + id))
}

func decodeCursor(c string) (created, id string, err error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return "", "", ErrBadCursor
	}
	created, id, ok := strings.Cut(string(b), "|")
	if !ok || id == "" || (created != "" && parseTime(created).IsZero()) {
		return "", "", ErrBadCursor
	}
	return created, id, nil
}

// Get returns one indexed order.
func (ix *Index) Get(ctx context.Context, orderID string) (IndexedOrder, bool, error) {
	ix.writeWaiting(ctx)
	o, err := scanIndexed(ix.db.R.QueryRowContext(ctx, `SELECT `+indexColumns+` FROM order_index o WHERE o.order_id = ?`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return IndexedOrder{}, false, nil
	}
	if err != nil {
		return IndexedOrder{}, false, fmt.Errorf("orders: index %s: %w", orderID, err)
	}
	return o, true, nil
}

// latestViewQuery: the member's latest view and how many views are stored.
// RecentlyViewed returns the n (at most keepViews) orders the staff member
// opened last, most recent first.
func (ix *Index) RecentlyViewed(ctx context.Context, staffID int64, n int) ([]IndexedOrder, error) {
	ix.writeWaiting(ctx)
	if n <= 0 || n > keepViews {
		n = keepViews
	}
	rows, err := ix.db.R.QueryContext(ctx, `SELECT `+indexColumns+`, v.viewed_at FROM order_views v
		JOIN order_index o ON o.order_id = v.order_id
		WHERE v.staff_id = ? ORDER BY v.viewed_at DESC, v.order_id DESC LIMIT ?`, staffID, n)
	if err != nil {
		return nil, fmt.Errorf("orders: recently viewed: %w", err)
	}
	defer rows.Close()
	var out []IndexedOrder
	for rows.Next() {
		var viewed string
		o, err := scanIndexed(rows, &viewed)
		if err != nil {
			return nil, fmt.Errorf("orders: recently viewed: %w", err)
		}
		o.ViewedAt = parseTime(viewed)
		out = append(out, o)
	}
	return out, rows.Err()
}

// maxExpiring caps the "expiring soon" list.
const maxExpiring = 100

// ExpiringSoon returns indexed orders still AUTHORIZED or PART_CAPTURED whose
// authorization expires after now and within the window, soonest first:
// money the merchant can still capture, but not for long.
func (ix *Index) ExpiringSoon(ctx context.Context, now time.Time, within time.Duration) ([]IndexedOrder, error) {
	ix.writeWaiting(ctx)
	rows, err := ix.db.R.QueryContext(ctx, `SELECT `+indexColumns+` FROM order_index o
		WHERE o.status IN ('AUTHORIZED', 'PART_CAPTURED') AND o.expires_at > ? AND o.expires_at <= ?
		ORDER BY o.expires_at, o.order_id LIMIT ?`, fmtTime(now), fmtTime(now.Add(within)), maxExpiring)
	if err != nil {
		return nil, fmt.Errorf("orders: expiring soon: %w", err)
	}
	defer rows.Close()
	var out []IndexedOrder
	for rows.Next() {
		o, err := scanIndexed(rows)
		if err != nil {
			return nil, fmt.Errorf("orders: expiring soon: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
