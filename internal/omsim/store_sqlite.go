package omsim

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ordercare/internal/db"
)

// sqliteMigrations create the sandbox's own tables in its own file
// (sandbox.db). Append-only.
var sqliteMigrations = []string{
	`CREATE TABLE omsim_orders (
		id         TEXT PRIMARY KEY,
		created_at INTEGER NOT NULL, -- unix nanoseconds, for listing newest first
		doc        TEXT NOT NULL      -- the record as JSON
	);
	CREATE INDEX omsim_orders_created ON omsim_orders (created_at DESC, id);
	CREATE TABLE omsim_idempotency (
		scope    TEXT NOT NULL,
		key      TEXT NOT NULL,
		at       INTEGER NOT NULL,   -- unix nanoseconds of the first response
		response TEXT NOT NULL,      -- the response as JSON
		PRIMARY KEY (scope, key)
	);
	CREATE INDEX omsim_idempotency_at ON omsim_idempotency (at);`,
}

// sqliteStore keeps the sandbox's state in a SQLite file. Every change runs
// in one write transaction on db.W, which begins IMMEDIATE (takes the write
// lock at BEGIN), so read-check-write is serialised even across processes.
type sqliteStore struct{ d *db.DB }

func openSQLiteStore(ctx context.Context, path string) (*sqliteStore, error) {
	d, err := db.Open(ctx, path, db.SyncNormal)
	if err != nil {
		return nil, fmt.Errorf("omsim: %w", err)
	}
	if err := d.Migrate(ctx, "omsim", sqliteMigrations); err != nil {
		_ = d.Close() // the migration error is the one to report
		return nil, fmt.Errorf("omsim: %w", err)
	}
	return &sqliteStore{d: d}, nil
}

func (s *sqliteStore) load(ctx context.Context, id string) ([]byte, bool, error) {
	var doc string
	err := s.d.R.QueryRowContext(ctx, `SELECT doc FROM omsim_orders WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("omsim: load order: %w", err)
	}
	return []byte(doc), true, nil
}

func (s *sqliteStore) list(ctx context.Context) ([]string, error) {
	rows, err := s.d.R.QueryContext(ctx, `SELECT id FROM omsim_orders ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("omsim: list orders: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("omsim: list orders: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *sqliteStore) count(ctx context.Context) (int, error) {
	var n int
	if err := s.d.R.QueryRowContext(ctx, `SELECT count(*) FROM omsim_orders`).Scan(&n); err != nil {
		return 0, fmt.Errorf("omsim: count orders: %w", err)
	}
	return n, nil
}

func (s *sqliteStore) tx(ctx context.Context, fn func(t txn) error) error {
	tx, err := s.d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("omsim: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := fn(sqliteTxn{ctx: ctx, tx: tx}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("omsim: commit: %w", err)
	}
	return nil
}

func (s *sqliteStore) close() error { return s.d.Close() }

type sqliteTxn struct {
	ctx context.Context
	tx  *sql.Tx
}

func (t sqliteTxn) load(id string) ([]byte, bool, error) {
	var doc string
	err := t.tx.QueryRowContext(t.ctx, `SELECT doc FROM omsim_orders WHERE id = ?`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("omsim: load order: %w", err)
	}
	return []byte(doc), true, nil
}

func (t sqliteTxn) save(id string, createdAt time.Time, doc []byte) error {
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO omsim_orders (id, created_at, doc) VALUES (?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`, id, createdAt.UnixNano(), string(doc))
	if err != nil {
		return fmt.Errorf("omsim: save order: %w", err)
	}
	return nil
}

func (t sqliteTxn) idemGet(scope, key string, notBefore time.Time) (*savedResponse, bool, error) {
	var at int64
	var resp string
	err := t.tx.QueryRowContext(t.ctx, `SELECT at, response FROM omsim_idempotency WHERE scope = ? AND key = ?`, scope, key).Scan(&at, &resp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("omsim: idempotency lookup: %w", err)
	}
	s := savedResponse{At: time.Unix(0, at).UTC()}
	if s.At.Before(notBefore) {
		return nil, false, nil
	}
	if err := json.Unmarshal([]byte(resp), &s.Response); err != nil {
		return nil, false, fmt.Errorf("omsim: idempotency record: %w", err)
	}
	return &s, true, nil
}

func (t sqliteTxn) idemPut(scope, key string, s savedResponse) error {
	b, err := json.Marshal(s.Response)
	if err != nil {
		return fmt.Errorf("omsim: idempotency record: %w", err)
	}
	// Keys older than the guarantee are dropped as new ones arrive, so the
	// table stays bounded by one day's traffic.
	if _, err := t.tx.ExecContext(t.ctx, `DELETE FROM omsim_idempotency WHERE at < ?`, s.At.Add(-idempotencyWindow).UnixNano()); err != nil {
		return fmt.Errorf("omsim: idempotency purge: %w", err)
	}
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO omsim_idempotency (scope, key, at, response) VALUES (?, ?, ?, ?)
		ON CONFLICT (scope, key) DO UPDATE SET at = excluded.at, response = excluded.response`,
		scope, key, s.At.UnixNano(), string(b)); err != nil {
		return fmt.Errorf("omsim: idempotency record: %w", err)
	}
	return nil
}

// AppliedKeys reads, from a sandbox's database file, the idempotency keys
// whose saved answer is a 2xx: the changes the sandbox applied, one key
// each. The process tests read a stopped sandbox's file with it to match
// what the provider applied against the audit log.
func AppliedKeys(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, response FROM omsim_idempotency`)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var keys []string
	for rows.Next() {
		var key, resp string
		if err := rows.Scan(&key, &resp); err != nil {
			return nil, err
		}
		var r struct {
			Status int `json:"status"`
		}
		if err := json.Unmarshal([]byte(resp), &r); err != nil {
			return nil, err
		}
		if r.Status >= 200 && r.Status < 300 {
			keys = append(keys, key)
		}
	}
	return keys, rows.Err()
}
