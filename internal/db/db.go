// Package db opens SQLite files the way every store of ordercare needs them:
// WAL, busy_timeout, one writer connection that takes the write lock at BEGIN
// (_txlock=immediate), a pool of read-only readers, pragmas checked after
// opening, and ordered migrations per component. Nothing domain-specific.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"time"

	"modernc.org/sqlite" // the pure-Go driver, registered as "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sync is the synchronous pragma: NORMAL for the admin database (WAL keeps
// every commit across an application crash), FULL for the audit log (also
// across power loss; sqlite.org/pragma.html#pragma_synchronous).
type Sync string

const (
	SyncNormal Sync = "NORMAL"
	SyncFull   Sync = "FULL"
)

// BusyTimeoutMS is how long a connection waits for a lock before SQLITE_BUSY.
const BusyTimeoutMS = 10000

// DB is one SQLite file with a single writer and a pool of readers.
type DB struct {
	// W is the only connection that writes; BEGIN takes the write lock at once.
	W *sql.DB
	// R is a pool of read-only connections.
	R    *sql.DB
	Path string // the SQLite file; empty on PostgreSQL
	// Postgres is set for a database opened by OpenPostgres (postgres.go).
	Postgres bool

	stmts  stmtCache // the reader pool's prepared statements (stmts.go)
	leases *leases   // the fleet's leases on PostgreSQL (lease.go); nil on SQLite
	// ckpt runs the WAL checkpoints when the writer does not
	// (walcheckpoint.go, Options.BackgroundCheckpoints); nil otherwise.
	ckpt *walCheckpointer
	// sync is the synchronous setting of every connection (SQLite), and
	// wal the WAL file that SyncWAL syncs (walsync.go).
	sync Sync
	wal  walFile
}

// Open opens (creating it and its folder when missing) the SQLite file at
// path with the given durability, and checks that the pragmas took effect:
// the driver silently ignores a misspelled DSN key (modernc.org/sqlite's
// _pragma DSN parameters are not validated).
func Open(ctx context.Context, path string, sync Sync) (*DB, error) {
	return OpenWith(ctx, path, sync, Options{})
}

// OpenWith is Open with options (walcheckpoint.go).
func OpenWith(ctx context.Context, path string, sync Sync, o Options) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("db: cannot create folder for %s: %w", path, err)
		}
	}
	wdsn := dsn(path, sync, false)
	if o.BackgroundCheckpoints {
		wdsn += "&" + url.Values{"_pragma": {"wal_autocheckpoint(0)"}}.Encode()
	}
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := ensureWAL(ctx, w); err != nil {
		_ = w.Close() // the conversion's error is the one to report
		return nil, fmt.Errorf("db: %s is not usable: %w", path, err)
	}
	if err := check(ctx, w, path, sync); err != nil {
		_ = w.Close() // the check's error is the one to report
		return nil, err
	}
	var ckpt *walCheckpointer
	if o.BackgroundCheckpoints {
		if err := checkNoAutoCheckpoint(ctx, w, path); err != nil {
			_ = w.Close() // the check's error is the one to report
			return nil, err
		}
		if ckpt, err = startCheckpointer(ctx, path, sync, o); err != nil {
			_ = w.Close() // the checkpointer's error is the one to report
			return nil, err
		}
	}
	r, err := sql.Open("sqlite", dsn(path, sync, true))
	if err != nil {
		if ckpt != nil {
			_ = ckpt.close() // the open error is the one to report
		}
		_ = w.Close() // the open error is the one to report
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{W: w, R: r, Path: path, ckpt: ckpt, sync: sync}, nil
}

func dsn(path string, sync Sync, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMS))
	// No journal_mode here: WAL is a property of the file, set once by
	// ensureWAL. Switching to it needs an exclusive lock for which SQLite
	// runs no busy handler, so a pragma on every new connection failed
	// with SQLITE_BUSY when processes opened one file together.
	q.Add("_pragma", "synchronous("+string(sync)+")")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Add("_pragma", "journal_size_limit(67108864)")
	// Statement journals (the savepoint of each statement that fires
	// triggers, such as the audit log's index and full-text triggers) in
	// memory: on disk each was a temp file written with a syscall per
	// page, a third of an audit append's CPU. They only undo a failed
	// statement inside its transaction; durability is the WAL's.
	q.Add("_pragma", "temp_store(MEMORY)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Set("_txlock", "deferred")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// ensureWAL puts the file in WAL mode unless it is already. A read comes
// first: a new connection learns the file's journal mode from its header
// only when it reads, and that read waits for locks like any other. The
// conversion itself does not wait (SQLite runs no busy handler for it,
// sqlite.org/wal.html#activating_and_configuring_wal_mode), so it is
// retried within the busy timeout.
func ensureWAL(ctx context.Context, w *sql.DB) error {
	deadline := time.Now().Add(BusyTimeoutMS * time.Millisecond)
	for pause := 5 * time.Millisecond; ; pause = min(2*pause, 100*time.Millisecond) {
		mode, err := walMode(ctx, w)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		refused := err == nil // SQLite answers the old mode when it cannot switch
		if refused {
			err = fmt.Errorf("journal_mode is %s after switching to WAL", mode)
		}
		if !(refused || isBusy(err)) || time.Now().Add(pause).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}

func walMode(ctx context.Context, w *sql.DB) (string, error) {
	var n int
	if err := w.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return "", err
	}
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || strings.EqualFold(mode, "wal") {
		return mode, err
	}
	err := w.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
	return mode, err
}

// isBusy reports SQLITE_BUSY and its extended codes (the primary code is
// the low byte: sqlite.org/rescode.html).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

// check reads the pragmas back and refuses a connection that lacks them.
func check(ctx context.Context, w *sql.DB, path string, sync Sync) error {
	var mode string
	var syncN, busy, fk int
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("db: %s is not usable: %w", path, err)
	}
	if err := w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncN); err != nil {
		return fmt.Errorf("db: %s: %w", path, err)
	}
	if err := w.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
		return fmt.Errorf("db: %s: %w", path, err)
	}
	if err := w.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return fmt.Errorf("db: %s: %w", path, err)
	}
	want := map[Sync]int{SyncNormal: 1, SyncFull: 2}[sync]
	if !strings.EqualFold(mode, "wal") || syncN != want || busy != BusyTimeoutMS || fk != 1 {
		return fmt.Errorf("db: %s: pragmas not applied (journal_mode=%s synchronous=%d busy_timeout=%d foreign_keys=%d)", path, mode, syncN, busy, fk)
	}
	return nil
}

// Close closes both pools.
func (d *DB) Close() error {
	d.closeStmts()
	if d.leases != nil {
		d.leases.close()
	}
	var ckptErr error
	if d.ckpt != nil {
		ckptErr = d.ckpt.close()
	}
	// The WAL's descriptor last: a connection may still sync it.
	return errors.Join(ckptErr, d.R.Close(), d.W.Close(), d.wal.close())
}

// Migrate applies, in order, the migrations of one component that are not
// yet recorded, each in its own transaction with its record. A component's
// migrations are append-only: never edit one that has shipped. They are
// SQLite's dialect: on PostgreSQL, Migrate refuses with ErrNotPorted
// (a store that has both uses MigrateDialects).
func (d *DB) Migrate(ctx context.Context, component string, migrations []string) error {
	if d.Postgres {
		return fmt.Errorf("%w: %s", ErrNotPorted, component)
	}
	return d.migrate(ctx, component, migrations)
}

// MigrateDialects is Migrate for a component whose tables are written in
// each dialect: sqlite on a SQLite file, postgres on PostgreSQL. Both lists
// grow together, one entry per version.
func (d *DB) MigrateDialects(ctx context.Context, component string, sqlite, postgres []string) error {
	if len(sqlite) != len(postgres) {
		return fmt.Errorf("db: migrate %s: %d SQLite and %d PostgreSQL versions", component, len(sqlite), len(postgres))
	}
	if d.Postgres {
		return d.migrate(ctx, component, postgres)
	}
	return d.migrate(ctx, component, sqlite)
}

func (d *DB) migrate(ctx context.Context, component string, migrations []string) error {
	// In a write transaction: on PostgreSQL it takes the writer lock, so
	// instances starting together do not race to create the table.
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: migrations table: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		component TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (component, version))`); err != nil {
		return fmt.Errorf("db: migrations table: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: migrations table: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		if err := d.migrateOne(ctx, component, version, m); err != nil {
			return err
		}
	}
	return nil
}

func (d *DB) migrateOne(ctx context.Context, component string, version int, stmt string) error {
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: migrate %s: %w", component, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE component = ? AND version = ?`, component, version).Scan(&n); err != nil {
		return fmt.Errorf("db: migrate %s: %w", component, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, stmt); err != nil {
		return fmt.Errorf("db: migrate %s v%d: %w", component, version, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (component, version) VALUES (?, ?)`, component, version); err != nil {
		return fmt.Errorf("db: migrate %s v%d: %w", component, version, err)
	}
	return tx.Commit()
}

// Ping runs a query on the read pool: whether the database answers (the
// health checks).
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.R.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// IntegrityCheck runs PRAGMA integrity_check and returns an error unless
// "ok". On PostgreSQL, whose pages the server checks itself, it asks
// whether the server answers.
func (d *DB) IntegrityCheck(ctx context.Context) error {
	if d.Postgres {
		return d.R.PingContext(ctx)
	}
	var res string
	if err := d.R.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("db: integrity_check: %s", res)
	}
	return nil
}
