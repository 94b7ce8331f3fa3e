package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrNotPorted is returned by Migrate on PostgreSQL for a component whose
// tables exist only in SQLite's dialect.
var ErrNotPorted = errors.New("db: this store is not yet available on PostgreSQL")

// AdminWriter is the writer name of every store but the audit log: the
// back office and the commands that change its tables (admin user) open
// the database with it on every instance, so that all their writes take
// one lock.
const AdminWriter = "admin"

// OpenPostgres connects to the PostgreSQL database at url (pgx v5 through
// database/sql, https://pkg.go.dev/github.com/jackc/pgx/v5/stdlib) and
// returns a DB that the stores use as they use a SQLite file:
//
//   - Their SQL keeps SQLite's ? placeholders; the connections rewrite
//     them to PostgreSQL's $1, $2 … (rebind.go), so a query is written once.
//   - A transaction begun on W takes a transaction-scoped advisory lock
//     named by writer before its first statement
//     (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS),
//     and a statement on W outside a transaction runs in a transaction of
//     its own that takes it too: writes of every instance on this
//     database run one at a time, as SQLite's single writer makes them on
//     one file. The rules that read, decide and write in one transaction
//     (the last admin, the sign-in throttle's count) or in one statement
//     (the passkey limit's count and insert) therefore hold across a fleet
//     without a second implementation.
//   - R's sessions are read-only (default_transaction_read_only), as
//     SQLite's readers are query_only.
//
// Stores sharing one writer name share one lock; the audit log has its
// own so that appends do not wait for the admin tables.
func OpenPostgres(ctx context.Context, url, writer string) (*DB, error) {
	wcfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: ORDERCARE_DATABASE_URL: %w", err)
	}
	rcfg := wcfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	w := sql.OpenDB(connector{inner: stdlib.GetConnector(*wcfg), lockKey: advisoryKey(writer)})
	w.SetMaxOpenConns(8)
	w.SetMaxIdleConns(8)
	r := sql.OpenDB(connector{inner: stdlib.GetConnector(*rcfg)})
	r.SetMaxOpenConns(16)
	r.SetMaxIdleConns(16)
	d := &DB{W: w, R: r, Postgres: true, leases: newLeases(wcfg.Copy())}
	if err := w.PingContext(ctx); err != nil {
		_ = d.Close() // the ping's error is the one to report
		return nil, fmt.Errorf("db: cannot reach PostgreSQL at %s: %w", redact(wcfg), err)
	}
	return d, nil
}

// redact names the server and database of a configuration, never its
// password, for error messages and logs.
func redact(c *pgx.ConnConfig) string {
	return fmt.Sprintf("%s:%d/%s", c.Host, c.Port, c.Database)
}

// advisoryKey is the 64-bit advisory lock key of a writer name.
func advisoryKey(name string) int64 {
	h := fnv.New64a()
	// A hash's Write never fails.
	_, _ = h.Write([]byte("ordercare writer " + name))
	return int64(h.Sum64()) // #nosec G115 -- a lock key: any 64 bits will do, wrapping is intended
}

// connector wraps pgx's so that every connection rebinds placeholders and,
// for the writer, locks at BEGIN.
type connector struct {
	inner   driver.Connector
	lockKey int64 // 0: no lock (readers)
}

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	pc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close() // an unexpected driver: nothing to keep
		return nil, fmt.Errorf("db: unexpected pgx connection type %T", dc)
	}
	return &conn{Conn: pc, lockKey: c.lockKey}, nil
}

func (c connector) Driver() driver.Driver { return c.inner.Driver() }

// conn is pgx's connection with every method kept (session reset, value
// checks, ping) and those that take SQL text rebinding it.
type conn struct {
	*stdlib.Conn
	lockKey int64
	inTx    bool // a transaction begun by BeginTx is open
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if c.lockKey == 0 || c.inTx {
		return c.Conn.ExecContext(ctx, rebind(query), args)
	}
	tx, err := c.locked(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Conn.ExecContext(ctx, rebind(query), args)
	if err != nil {
		_ = tx.Rollback() // the statement's error is the one to report
		return nil, err
	}
	return res, tx.Commit()
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.lockKey == 0 || c.inTx {
		return c.Conn.QueryContext(ctx, rebind(query), args)
	}
	tx, err := c.locked(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.Conn.QueryContext(ctx, rebind(query), args)
	if err != nil {
		_ = tx.Rollback() // the statement's error is the one to report
		return nil, err
	}
	return &lockedRows{Rows: rows, tx: tx}, nil
}

// locked begins the transaction of one statement on W, with the writer
// lock taken.
func (c *conn) locked(ctx context.Context) (driver.Tx, error) {
	tx, err := c.BeginTx(ctx, driver.TxOptions{})
	if err != nil {
		return nil, err
	}
	return tx, nil
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	t := &connTx{Tx: tx, c: c}
	if c.lockKey == 0 || opts.ReadOnly {
		return t, nil
	}
	if _, err := c.Conn.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`,
		[]driver.NamedValue{{Ordinal: 1, Value: c.lockKey}}); err != nil {
		_ = t.Rollback() // the lock's error is the one to report
		return nil, fmt.Errorf("db: writer lock: %w", err)
	}
	return t, nil
}

// connTx notes on its connection when it ends.
type connTx struct {
	driver.Tx
	c *conn
}

func (t *connTx) Commit() error {
	t.c.inTx = false
	return t.Tx.Commit()
}

func (t *connTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}

// lockedRows are the rows of a statement run in a transaction of its own
// (QueryContext): closing them commits it, after the last row is read.
type lockedRows struct {
	driver.Rows
	tx driver.Tx
}

func (r *lockedRows) Close() error {
	if err := r.Rows.Close(); err != nil {
		_ = r.tx.Rollback() // the rows' error is the one to report
		return err
	}
	return r.tx.Commit()
}
