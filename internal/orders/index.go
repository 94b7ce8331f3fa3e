package orders

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
)

// Index is the local index of orders the admin has seen, in admin.db. The
// provider has no search, so agents find an order by what they hold (a
// merchant reference, the provider's short reference, the customer's e-mail
// or name) through this index; it is filled whenever an order is fetched.
type Index struct {
	db *db.DB
	// words keeps each order's search words: FTS5 on SQLite, a table of
	// terms on PostgreSQL (words.go).
	words  words
	behind behind // behind.go
	// filterBudget is filterFirstBudget; tests set -1 to compare the
	// plans (search_filtered.go).
	filterBudget int
	// flaggedBudget is outOfStepBudget; tests set -1 to compare the
	// plans (search_shop.go).
	flaggedBudget int
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
	// 2: full-text search (search.go). order_search holds each order's
	// folded words once, under a rowid that sorts like (created_at,
	// order_id), so that "newest first" is FTS5's own rowid order and a
	// page stops after 26 rows however many orders match. Prefix indexes
	// of 1 to 3 characters make short prefixes ("a", "ek") one doclist
	// read instead of a merge of every word that starts so.
	// search_fields keeps the values as the provider sent them, to show
	// which one matched. The per-key table is replaced; rows indexed
	// before get their words from the columns at start-up (backfill).
	`ALTER TABLE order_index ADD COLUMN search_rowid INTEGER;
	ALTER TABLE order_index ADD COLUMN search_fields TEXT NOT NULL DEFAULT '';
	CREATE UNIQUE INDEX order_index_search_rowid ON order_index(search_rowid);
	CREATE VIRTUAL TABLE order_search USING fts5(names, emails, phones, refs,
		content='', contentless_delete=1, prefix='1 2 3',
		tokenize="unicode61 remove_diacritics 0 tokenchars '-_'");
	DROP TABLE order_search_keys;`,
	// 3: plans for the order list's filters (search_filtered.go, and the
	// "expires within" list in listSQL): orders by currency and amount
	// with their place in the list, so a band is read and sorted from
	// the index alone; and the open orders newest first with their
	// expiry, so that list walks only open orders' entries.
	`CREATE INDEX order_index_currency_amount ON order_index(currency, amount, created_at, order_id, search_rowid);
	CREATE INDEX order_index_open_created ON order_index(created_at, order_id, expires_at)
		WHERE status IN ('AUTHORIZED', 'PART_CAPTURED');`,
	// 4: the shop's twin as last read (shop_snapshot.go): its order number
	// is searchable, and where it disagrees with the payment order the
	// start page lists the order without asking the shop again.
	`ALTER TABLE order_index ADD COLUMN shop_number TEXT NOT NULL DEFAULT '';
	CREATE TABLE order_shop (
		order_id        TEXT PRIMARY KEY,
		shop_order_id   TEXT NOT NULL DEFAULT '',
		cancelled       INTEGER NOT NULL DEFAULT 0,
		fulfilled       INTEGER NOT NULL DEFAULT 0,
		address_differs INTEGER NOT NULL DEFAULT 0,
		flagged         INTEGER NOT NULL DEFAULT 0,
		read_at         TEXT NOT NULL
	) STRICT;
	CREATE INDEX order_shop_flagged ON order_shop(order_id) WHERE flagged = 1;`,
}

// pgIndexMigrations are indexMigrations in PostgreSQL's dialect, one per
// version. Text that is sorted or compared (times, ids, references, the
// search terms) is COLLATE "C", compared byte by byte as in SQLite and as
// the Go code compares it. The full-text table is a table of terms
// (words_postgres.go) instead of FTS5.
var pgIndexMigrations = []string{
	`CREATE TABLE order_index (
		order_id                    TEXT COLLATE "C" PRIMARY KEY,
		merchant_reference1         TEXT NOT NULL DEFAULT '',
		merchant_reference2         TEXT NOT NULL DEFAULT '',
		klarna_reference            TEXT NOT NULL DEFAULT '',
		email                       TEXT NOT NULL DEFAULT '',
		customer_name               TEXT NOT NULL DEFAULT '',
		status                      TEXT COLLATE "C" NOT NULL DEFAULT '',
		amount                      BIGINT NOT NULL DEFAULT 0,
		remaining_authorized_amount BIGINT NOT NULL DEFAULT 0,
		currency                    TEXT COLLATE "C" NOT NULL DEFAULT '',
		created_at                  TEXT COLLATE "C" NOT NULL DEFAULT '',
		expires_at                  TEXT COLLATE "C" NOT NULL DEFAULT '',
		last_read_at                TEXT COLLATE "C" NOT NULL DEFAULT ''
	);
	CREATE INDEX order_index_created ON order_index(created_at, order_id);
	CREATE INDEX order_index_status ON order_index(status, created_at, order_id);
	CREATE INDEX order_index_expires ON order_index(expires_at) WHERE status IN ('AUTHORIZED', 'PART_CAPTURED');
	CREATE TABLE order_views (
		staff_id  BIGINT NOT NULL,
		order_id  TEXT COLLATE "C" NOT NULL,
		viewed_at TEXT COLLATE "C" NOT NULL,
		PRIMARY KEY (staff_id, order_id)
	);
	CREATE INDEX order_views_recent ON order_views(staff_id, viewed_at);`,
	`ALTER TABLE order_index ADD COLUMN search_rowid BIGINT;
	ALTER TABLE order_index ADD COLUMN search_fields TEXT NOT NULL DEFAULT '';
	CREATE UNIQUE INDEX order_index_search_rowid ON order_index(search_rowid);
	CREATE TABLE order_terms (
		term     TEXT COLLATE "C" NOT NULL,
		sort_key BIGINT NOT NULL,
		PRIMARY KEY (term, sort_key)
	);`,
	`CREATE INDEX order_index_currency_amount ON order_index(currency, amount, created_at, order_id, search_rowid);
	CREATE INDEX order_index_open_created ON order_index(created_at, order_id, expires_at)
		WHERE status IN ('AUTHORIZED', 'PART_CAPTURED');`,
	`ALTER TABLE order_index ADD COLUMN shop_number TEXT NOT NULL DEFAULT '';
	CREATE TABLE order_shop (
		order_id        TEXT COLLATE "C" PRIMARY KEY,
		shop_order_id   TEXT NOT NULL DEFAULT '',
		cancelled       INTEGER NOT NULL DEFAULT 0,
		fulfilled       INTEGER NOT NULL DEFAULT 0,
		address_differs INTEGER NOT NULL DEFAULT 0,
		flagged         INTEGER NOT NULL DEFAULT 0,
		read_at         TEXT COLLATE "C" NOT NULL
	);
	CREATE INDEX order_shop_flagged ON order_shop(order_id) WHERE flagged = 1;`,
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
	// Matched is the field a search's words matched (Search with Q).
	Matched MatchedField
}

// SearchQuery selects orders. Each word of Q, case and accents aside,
// must start a word of a name, organisation, e-mail address (whole, local
// part or domain), merchant, provider, capture or refund reference, order,
// capture or refund id; a phone number matches by its digits.
type SearchQuery struct {
	Q      string
	Status string // "" = any
	Cursor string // from SearchPage.NextCursor
	Limit  int    // 0 = DefaultPageSize

	// The order list's filters; zero values filter nothing.
	CreatedFrom, CreatedBefore time.Time // created in [CreatedFrom, CreatedBefore)
	AmountMin, AmountMax       *int64    // order amount in minor units, inclusive
	Currency                   string
	// ExpiringBy keeps open authorizations (AUTHORIZED, PART_CAPTURED)
	// that expire after Now and no later than ExpiringBy.
	ExpiringBy, Now time.Time
	// OrderIDs, when not nil, keeps only these orders (the "has an unknown
	// outcome" filter, whose answer lives in the audit log).
	OrderIDs []string
	// ShopOutOfStep keeps the orders whose shop twin, as last read,
	// disagrees with the payment order while money is authorized
	// (search_shop.go).
	ShopOutOfStep bool
}

// SearchPage is one page of results, newest first.
type SearchPage struct {
	Orders []IndexedOrder
	// NextCursor fetches the next page; "" on the last page.
	NextCursor string
}

// OpenIndex migrates the index tables in admin.db.
func OpenIndex(ctx context.Context, d *db.DB) (*Index, error) {
	if err := d.MigrateDialects(ctx, "orders", indexMigrations, pgIndexMigrations); err != nil {
		return nil, fmt.Errorf("orders: index: %w", err)
	}
	ix := &Index{db: d, words: wordsFor(d), filterBudget: filterFirstBudget, flaggedBudget: outOfStepBudget}
	if err := ix.backfill(ctx); err != nil {
		return nil, fmt.Errorf("orders: index: full-text backfill: %w", err)
	}
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
		Fields: encodeFields(searchFields(o)),
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
	if err := writeRow(ctx, ix.words, tx, o, seenAt); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	return nil
}

// execer is a transaction, or anything that runs statements inside one.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeRow writes the order's row and its words inside tx, unless a
// later read of it is stored. Upsert calls it; so does the search
// benchmark, which fills a million orders in large transactions.
func writeRow(ctx context.Context, w words, tx execer, o *omclient.Order, seenAt time.Time) error {
	var shopNumber, storedFields, lastRead string
	var oldKey sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT shop_number, search_fields, search_rowid, last_read_at FROM order_index WHERE order_id = ?`,
		o.OrderID).Scan(&shopNumber, &storedFields, &oldKey, &lastRead)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	case lastRead > fmtTime(seenAt):
		return nil // a later read is stored: its row and words stay
	}
	fields := withShopNumber(searchFields(o), shopNumber)
	if !paymentOpen(o) {
		// Money no longer authorized: a twin out of step no longer
		// matters (shop_snapshot.go), and the flagged index stays small.
		if _, err := tx.ExecContext(ctx, `UPDATE order_shop SET flagged = 0 WHERE order_id = ? AND flagged = 1`, o.OrderID); err != nil {
			return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
		}
	}
	rowid, err := freeSortKey(ctx, tx, sortKey(o.CreatedAt.Time, o.OrderID), o.OrderID)
	if err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	if oldKey.Valid {
		if err := w.drop(ctx, tx, oldKey.Int64, decodeFields(storedFields)); err != nil {
			return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
		}
	}
	// The row's WHERE is the check above again, for a writer that is not
	// the only one (it never fires while writes are serialized).
	res, err := tx.ExecContext(ctx, `INSERT INTO order_index (`+indexRowColumns+`)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (order_id) DO UPDATE SET merchant_reference1 = excluded.merchant_reference1,
		merchant_reference2 = excluded.merchant_reference2, klarna_reference = excluded.klarna_reference,
		email = excluded.email, customer_name = excluded.customer_name, status = excluded.status,
		amount = excluded.amount, remaining_authorized_amount = excluded.remaining_authorized_amount,
		currency = excluded.currency, created_at = excluded.created_at, expires_at = excluded.expires_at,
		last_read_at = excluded.last_read_at, search_rowid = excluded.search_rowid,
		search_fields = excluded.search_fields
		WHERE excluded.last_read_at >= order_index.last_read_at`, indexRowValues(o, seenAt, rowid, fields)...)
	if err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	} else if n == 0 {
		return fmt.Errorf("orders: index %s: a later read was stored meanwhile", o.OrderID)
	}
	if err := w.put(ctx, tx, rowid, fields); err != nil {
		return fmt.Errorf("orders: index %s: %w", o.OrderID, err)
	}
	return nil
}

// indexRowColumns are the columns of order_index that a read of an order
// writes, in the order of indexRowValues.
var indexRowColumns = strings.Join(indexRowColumnList, ", ")

var indexRowColumnList = []string{"order_id", "merchant_reference1", "merchant_reference2", "klarna_reference",
	"email", "customer_name", "status", "amount", "remaining_authorized_amount", "currency",
	"created_at", "expires_at", "last_read_at", "search_rowid", "search_fields"}

// indexRowValues are the values of indexRowColumns for the order read at
// seenAt, under sort key key, with its search fields.
func indexRowValues(o *omclient.Order, seenAt time.Time, key int64, fields []Field) []any {
	email, name := contact(o)
	return []any{o.OrderID, string(o.MerchantReference1), string(o.MerchantReference2), string(o.KlarnaReference),
		email, name, string(o.Status), o.OrderAmount, o.RemainingAuthorizedAmount, o.PurchaseCurrency.String(),
		fmtTime(o.CreatedAt.Time), fmtTime(o.ExpiresAt.Time), fmtTime(seenAt), key, encodeFields(fields)}
}

// indexRow is what the index holds for one order, apart from its read
// time: the columns of order_index, with the searchable values.
type indexRow struct {
	MerchantReference1, MerchantReference2, KlarnaReference string
	Email, CustomerName, Status                             string
	Amount, RemainingAuthorized                             int64
	Currency, CreatedAt, ExpiresAt, Fields                  string
}

const unchangedQuery = `SELECT merchant_reference1, merchant_reference2, klarna_reference,
		email, customer_name, status, amount, remaining_authorized_amount, currency, created_at, expires_at,
		last_read_at, search_fields, shop_number FROM order_index WHERE order_id = ?1`

// unchanged reports whether the index already holds row for the order with
// a read time less than ReadFreshness before seenAt: one read on the
// reader pool instead of a write transaction.
func (ix *Index) unchanged(ctx context.Context, orderID string, row indexRow, seenAt time.Time) (bool, error) {
	var got indexRow
	var read, shopNumber string
	// db.QueryRow: the statement is prepared once per reader connection,
	// which halves the cost of the check (BenchmarkUpsertUnchanged).
	err := ix.db.QueryRow(ctx, unchangedQuery, orderID).Scan(&got.MerchantReference1, &got.MerchantReference2,
		&got.KlarnaReference, &got.Email, &got.CustomerName, &got.Status, &got.Amount, &got.RemainingAuthorized,
		&got.Currency, &got.CreatedAt, &got.ExpiresAt, &read, &got.Fields, &shopNumber)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("orders: index %s: %w", orderID, err)
	}
	if shopNumber != "" {
		row.Fields = encodeFields(withShopNumber(decodeFields(row.Fields), shopNumber))
	}
	if got != row {
		return false, nil
	}
	last := parseTime(read)
	return !last.IsZero() && seenAt.Sub(last) < ReadFreshness, nil
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
