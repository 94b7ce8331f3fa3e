// Package intake brings orders into the local index that nobody has opened
// yet, and keeps indexed orders true: the provider has no search and no
// list of orders, so the index only knows what was read. Three ways in:
//
//   - Importer: a CSV of order ids (`admin index import FILE`), read at a
//     bounded rate and resumable;
//   - Queue: order ids the shop pushes to POST /hooks/orders, kept in a
//     small durable table and read in the background with retries;
//   - Refresher: indexed orders that can still change are re-read, oldest
//     first, at a gentle rate.
//
// Every read goes through a Fetcher (orders.Service.GetOrder), which
// records the order in the index.
package intake

import (
	"context"
	"fmt"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
)

// Fetcher reads an order from the provider and indexes it.
type Fetcher interface {
	GetOrder(ctx context.Context, id string) (*omclient.Order, error)
}

// migrations of component "intake" in admin.db. Append-only.
var migrations = []string{
	// 1: the intake queue (one row per pushed order id: a duplicate push
	// only moves the row), and the import runs keyed by the file's SHA-256
	// with the last line handled, plus the rows that did not index.
	`CREATE TABLE intake_queue (
		order_id    TEXT PRIMARY KEY,
		source      TEXT NOT NULL DEFAULT '',
		enqueued_at TEXT NOT NULL,
		next_at     TEXT NOT NULL,
		attempts    INTEGER NOT NULL DEFAULT 0,
		state       TEXT NOT NULL DEFAULT 'pending', -- pending | failed
		last_error  TEXT NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX intake_queue_due ON intake_queue(state, next_at);
	CREATE TABLE import_runs (
		file_sha256 TEXT PRIMARY KEY,
		file_name   TEXT NOT NULL,
		rows        INTEGER NOT NULL DEFAULT 0,
		last_line   INTEGER NOT NULL DEFAULT 0,
		indexed     INTEGER NOT NULL DEFAULT 0,
		started_at  TEXT NOT NULL,
		updated_at  TEXT NOT NULL,
		finished_at TEXT NOT NULL DEFAULT ''
	) STRICT;
	CREATE TABLE import_issues (
		file_sha256 TEXT NOT NULL REFERENCES import_runs(file_sha256) ON DELETE CASCADE,
		line        INTEGER NOT NULL,
		kind        TEXT NOT NULL, -- unknown | failed | malformed
		order_id    TEXT NOT NULL DEFAULT '',
		reason      TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (file_sha256, line)
	) STRICT;`,
}

// pgMigrations are migrations in PostgreSQL's dialect (times are
// fixed-width text compared byte by byte, as in SQLite).
var pgMigrations = []string{
	`CREATE TABLE intake_queue (
		order_id    TEXT PRIMARY KEY,
		source      TEXT NOT NULL DEFAULT '',
		enqueued_at TEXT COLLATE "C" NOT NULL,
		next_at     TEXT COLLATE "C" NOT NULL,
		attempts    BIGINT NOT NULL DEFAULT 0,
		state       TEXT NOT NULL DEFAULT 'pending', -- pending | failed
		last_error  TEXT NOT NULL DEFAULT ''
	);
	CREATE INDEX intake_queue_due ON intake_queue(state, next_at);
	CREATE TABLE import_runs (
		file_sha256 TEXT PRIMARY KEY,
		file_name   TEXT NOT NULL,
		rows        BIGINT NOT NULL DEFAULT 0,
		last_line   BIGINT NOT NULL DEFAULT 0,
		indexed     BIGINT NOT NULL DEFAULT 0,
		started_at  TEXT COLLATE "C" NOT NULL,
		updated_at  TEXT COLLATE "C" NOT NULL,
		finished_at TEXT COLLATE "C" NOT NULL DEFAULT ''
	);
	CREATE TABLE import_issues (
		file_sha256 TEXT NOT NULL REFERENCES import_runs(file_sha256) ON DELETE CASCADE,
		line        BIGINT NOT NULL,
		kind        TEXT NOT NULL, -- unknown | failed | malformed
		order_id    TEXT NOT NULL DEFAULT '',
		reason      TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (file_sha256, line)
	);`,
}

// Open migrates the intake tables in admin.db (or PostgreSQL: the queue
// and the import runs; the Refresher reads the order index, which is
// SQLite's only).
func Open(ctx context.Context, d *db.DB) (*Store, error) {
	if err := d.MigrateDialects(ctx, "intake", migrations, pgMigrations); err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	return &Store{db: d}, nil
}

// Store is the intake's tables in admin.db.
type Store struct {
	db *db.DB
}

// timeLayout is the fixed-width UTC text the order index uses too
// (internal/orders/index.go), so times compare as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// reason is an error as one short line for a summary or a table.
func reason(err error) string {
	s := err.Error()
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}
