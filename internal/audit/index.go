package audit

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/db"
)

// The search index (attempts, attempt_counts, attempt_text: search.go,
// review_queue.go) is derived from the events, so it lives in a file of
// its own beside the log (IndexPath: audit-index.db beside audit.db),
// kept by a goroutine of its own (the indexer) with its own write lock.
// In audit.db (migrations 3 to 7) every index transaction held the log's
// write lock and ran on the writer goroutine between commits: about
// 25 µs per event, 40 % of the writer's time under 50 appending agents.
// Now appends and indexing run side by side, on two cores.
//
// The index is not part of the record: losing it loses nothing, and the
// indexer rebuilds it from the events (at start, from its mark; from
// the first event when the file is missing or belongs to another log, as
// after restoring audit.db from a backup). Readers of the index call
// SyncIndex first, so that a search sees every event committed before it
// started, whoever appended it (the server or an `admin` command).
//
// On PostgreSQL the index is in the log's database instead, one for every
// instance (index_postgres.go).

const (
	// IndexBatch is the most events one index transaction covers.
	IndexBatch = 1024
	// indexDelay is the pause in the appends the indexer waits for before
	// it indexes what they added, and indexMaxLag the longest it lets
	// them run on unindexed (a reader's SyncIndex waits for neither).
	// Each index transaction flushes a full-text segment and merges
	// segments: indexed after every commit of 25 events, an event cost
	// three times what it costs in batches of hundreds. And indexing
	// while 50 writers append takes a core and the driver's shared locks
	// from them: waiting for a pause, up to a second, lifted
	// `loadtest audit` at 50 writers from 10,508-12,204 to
	// 13,593-14,331 events/s.
	indexDelay  = 50 * time.Millisecond
	indexMaxLag = time.Second
)

// NewID mints an attempt id or an idempotency key: a UUID v7, ordered by
// time, so that the indexes of them (events_attempt, events_idempotency
// and the index file's attempts_id) grow at their end instead of at a
// random page per change. Keys minted before as v4 stay valid.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// IndexPath is the search index's file for the log at path:
// audit.db → audit-index.db.
func IndexPath(path string) string {
	return strings.TrimSuffix(path, ".db") + "-index.db"
}

// indexMigrations of the index file (component "audit-index"): the
// search tables as migrations 3 to 6 of audit.db left them, and the mark.
// Append-only: never edit one that has shipped, add a new one.
var indexMigrations = []string{
	// 1: see migration3 (attempts, tkey), migration4 (the covering
	// indexes) and migration5 (attempt_counts, the full-text tokens) of
	// audit.db. index_state.seq is the last event indexed and hash that
	// event's hash: an index whose mark does not name an event of the
	// log it is opened with is another log's, and is rebuilt.
	`CREATE TABLE attempts (
		tkey           INTEGER PRIMARY KEY,
		seq            INTEGER NOT NULL,
		attempt_id     TEXT    NOT NULL,
		time           TEXT    NOT NULL,
		staff_id       INTEGER NOT NULL,
		staff_email    TEXT    NOT NULL,
		order_id       TEXT    NOT NULL,
		action         TEXT    NOT NULL,
		money          INTEGER NOT NULL,
		amount         INTEGER NOT NULL,
		outcome        TEXT    NOT NULL DEFAULT '',
		completed_seq  INTEGER NOT NULL DEFAULT 0,
		http_status    INTEGER NOT NULL DEFAULT 0,
		error_code     TEXT    NOT NULL DEFAULT '',
		correlation_id TEXT    NOT NULL DEFAULT '',
		duration_ms    INTEGER NOT NULL DEFAULT 0,
		review         TEXT    NOT NULL DEFAULT '',
		review_seq     INTEGER NOT NULL DEFAULT 0,
		reconciled_seq INTEGER NOT NULL DEFAULT 0
	) STRICT;
	CREATE INDEX attempts_id      ON attempts(attempt_id);
	CREATE INDEX attempts_staff   ON attempts(staff_id, tkey, outcome, action);
	CREATE INDEX attempts_email   ON attempts(staff_email COLLATE NOCASE, tkey, outcome, action);
	CREATE INDEX attempts_order   ON attempts(order_id);
	CREATE INDEX attempts_action  ON attempts(action, tkey, outcome);
	CREATE INDEX attempts_outcome ON attempts(outcome);
	CREATE INDEX attempts_review  ON attempts(money)
		WHERE money = 1 AND review = '' AND outcome IN ('succeeded', 'unknown');
	CREATE INDEX attempts_unknown ON attempts(outcome)
		WHERE outcome = 'unknown' AND reconciled_seq = 0 AND review = '';
	CREATE TABLE attempt_counts (
		day     INTEGER NOT NULL,
		action  TEXT    NOT NULL,
		outcome TEXT    NOT NULL,
		n       INTEGER NOT NULL,
		PRIMARY KEY (day, action, outcome)
	) STRICT, WITHOUT ROWID;
	CREATE VIRTUAL TABLE attempt_text USING fts5(text, content='', contentless_delete=1);
	CREATE TABLE index_state (
		id   INTEGER PRIMARY KEY CHECK (id = 1),
		seq  INTEGER NOT NULL,
		hash TEXT    NOT NULL
	) STRICT;
	INSERT INTO index_state (id, seq, hash) VALUES (1, 0, '');`,
}

// feedSchema is the indexer's feed: a TEMP table (in memory, with
// temp_store=MEMORY) with the index triggers, created on the indexer's
// connection. NEW in the trigger bodies is the event being indexed; the
// bodies' `events` is the log's, attached as ev, or on PostgreSQL a TEMP
// copy of the requested events they read (index_feed.go).
const feedSchema = `
CREATE TEMP TABLE IF NOT EXISTS index_feed (
	seq             INTEGER PRIMARY KEY,
	time            TEXT    NOT NULL,
	kind            TEXT    NOT NULL,
	attempt_id      TEXT    NOT NULL,
	staff_id        INTEGER NOT NULL,
	staff_email     TEXT    NOT NULL,
	order_id        TEXT    NOT NULL,
	action          TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	ticket          TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	request         BLOB    NOT NULL,
	outcome         TEXT    NOT NULL,
	http_status     INTEGER NOT NULL,
	error_code      TEXT    NOT NULL,
	error_messages  TEXT    NOT NULL,
	correlation_id  TEXT    NOT NULL,
	resource_id     TEXT    NOT NULL,
	duration_ms     INTEGER NOT NULL,
	detail_json     TEXT    NOT NULL
) STRICT;
CREATE TEMP TRIGGER IF NOT EXISTS feed_index_requested AFTER INSERT ON index_feed WHEN NEW.kind = 'requested'
` + indexRequested + `
CREATE TEMP TRIGGER IF NOT EXISTS feed_index_completed AFTER INSERT ON index_feed WHEN NEW.kind = 'completed'
` + indexCompleted + `
CREATE TEMP TRIGGER IF NOT EXISTS feed_index_review AFTER INSERT ON index_feed WHEN NEW.kind = 'review'
` + indexReview + `
CREATE TEMP TRIGGER IF NOT EXISTS feed_index_reconciled AFTER INSERT ON index_feed WHEN NEW.kind = 'reconciled'
` + indexReconciled + `
`

// resetIndex empties the index and its mark (another log's index).
var resetIndex = []string{`DELETE FROM attempts`, `DELETE FROM attempt_counts`,
	`INSERT INTO attempt_text (attempt_text) VALUES ('delete-all')`, `UPDATE index_state SET seq = 0, hash = ''`}

// indexer keeps the index: one goroutine, one connection to the index
// file with the log's events fed to it (index_feed.go).
type indexer struct {
	l    *Log
	conn *sql.Conn // nil until the first run, and again after an error
}

// runIndexer indexes what is committed: at start, after a pause of
// indexDelay in the commits (l.appended) or indexMaxLag after the first
// commit not yet indexed, and at once when a reader asks (l.indexNow);
// until stop closes.
func (l *Log) runIndexer(stop <-chan struct{}) {
	defer close(l.indexDone)
	ix := &indexer{l: l}
	defer ix.release()
	l.logIndexError(ix.catchUp())
	delay := time.NewTimer(indexDelay)
	delay.Stop()
	var since time.Time // the first commit not yet indexed; zero when none
	for {
		select {
		case <-l.appended:
			now := time.Now()
			if since.IsZero() {
				since = now
			}
			delay.Reset(max(0, min(indexDelay, since.Add(indexMaxLag).Sub(now))))
		case <-delay.C:
			since = time.Time{}
			l.logIndexError(ix.catchUp())
		case done := <-l.indexNow:
			done <- ix.catchUp()
		case <-stop:
			l.logIndexError(ix.catchUp()) // what the last commits added
			return
		}
	}
}

// catchUp indexes every event committed so far.
func (ix *indexer) catchUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for {
		more, err := ix.step(ctx)
		if err != nil {
			ix.release() // a broken connection is not reused
			return err
		}
		if !more {
			return nil
		}
	}
}

// connect takes the index file's writer connection for the indexer and
// gives it the feed: the log's events attached (SQLite) or a table for
// those read from PostgreSQL (index_feed.go).
func (ix *indexer) connect(ctx context.Context) error {
	if ix.conn != nil {
		return nil
	}
	c, err := ix.l.idx.W.Conn(ctx)
	if err != nil {
		return err
	}
	if err := ix.l.feeder().connect(ctx, c); err != nil {
		_ = c.Close()
		return err
	}
	if _, err := c.ExecContext(ctx, feedSchema); err != nil {
		_ = c.Close()
		return err
	}
	ix.conn = c
	return nil
}

func (ix *indexer) release() {
	if ix.conn != nil {
		_ = ix.conn.Close()
		ix.conn = nil
	}
}

// step indexes up to IndexBatch events past the mark in one transaction
// and reports whether events are left after it.
//
// The transaction is BEGIN DEFERRED, not the writer's usual IMMEDIATE:
// IMMEDIATE would take the write lock of every attached file, the log's
// included, and queue the appends behind the indexer. Its first statement
// writes the mark, so the index file's write lock is held before anything
// is read; the log is only read.
func (ix *indexer) step(ctx context.Context) (more bool, err error) {
	if ix.l.idx.Postgres {
		return ix.stepPG(ctx)
	}
	if err := ix.connect(ctx); err != nil {
		return false, fmt.Errorf("audit: index: %w", err)
	}
	c := ix.conn
	if _, err := c.ExecContext(ctx, `BEGIN DEFERRED`); err != nil {
		return false, fmt.Errorf("audit: index: begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_, _ = c.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`) // the step's error is the one to report
		}
	}()
	if _, err := c.ExecContext(ctx, `UPDATE index_state SET seq = seq`); err != nil {
		return false, fmt.Errorf("audit: index: lock: %w", err)
	}
	var mark, last int64
	var markHash string
	if err := c.QueryRowContext(ctx, `SELECT seq, hash FROM index_state`).Scan(&mark, &markHash); err != nil {
		return false, fmt.Errorf("audit: index: mark: %w", err)
	}
	f := ix.l.feeder()
	markEventHash, last, err := f.head(ctx, c, mark)
	if err != nil {
		return false, fmt.Errorf("audit: index: mark: %w", err)
	}
	if mark, err = indexFrom(ctx, c, mark, markHash, markEventHash, resetIndex); err != nil {
		return false, err
	}
	if last > mark {
		to := min(last, mark+IndexBatch)
		if err := f.feed(ctx, c, mark, to); err != nil {
			return false, fmt.Errorf("audit: index events %d-%d: %w", mark+1, to, err)
		}
		more = to < last
	}
	if _, err := c.ExecContext(ctx, `COMMIT`); err != nil {
		return false, fmt.Errorf("audit: index: commit: %w", err)
	}
	committed = true
	ix.l.indexChecked.Store(true)
	return more, nil
}

// execer is a connection or a transaction of the index.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// indexFrom is where indexing resumes: the mark, or 0 once reset has
// emptied an index whose mark names no event of this log (another log's,
// as after audit.db was restored from a backup).
func indexFrom(ctx context.Context, c execer, mark int64, markHash string, markEventHash sql.NullString, reset []string) (int64, error) {
	if mark == 0 || (markEventHash.Valid && markEventHash.String == markHash) {
		return mark, nil
	}
	slog.Default().Warn("audit search index belongs to another log; rebuilding it", slog.Int64("mark", mark))
	if err := runSteps(ctx, c, stepsOf(reset...)); err != nil {
		return 0, fmt.Errorf("audit: index: reset: %w", err)
	}
	return 0, nil
}

// step is one statement of an index transaction.
type step struct {
	sql  string
	args []any
}

// stepsOf are statements without arguments.
func stepsOf(stmts ...string) []step {
	out := make([]step, len(stmts))
	for i, q := range stmts {
		out[i] = step{sql: q}
	}
	return out
}

// runSteps runs steps in order on c, stopping at the first error.
func runSteps(ctx context.Context, c execer, steps []step) error {
	for _, st := range steps {
		if _, err := c.ExecContext(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// logIndexError reports a failed indexing: the events are stored and
// the next run retries them.
func (l *Log) logIndexError(err error) {
	if err != nil {
		slog.Default().Error("audit search index", slog.Any("err", err))
	}
}

// SyncIndex returns once the search index covers every event committed
// before the call: at once when it does already (two reads), otherwise
// after the indexer has indexed them. Until the indexer's first run since
// the log opened has ended, it waits for that run.
func (l *Log) SyncIndex(ctx context.Context) error {
	var last, mark int64
	if err := l.db.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&last); err != nil {
		return fmt.Errorf("audit: index mark: %w", err)
	}
	if err := l.idx.QueryRow(ctx, `SELECT seq FROM index_state`).Scan(&mark); err != nil {
		return fmt.Errorf("audit: index mark: %w", err)
	}
	// The fast path only once the indexer has checked, since this log
	// opened, that the index is this log's (a restored audit.db may sit
	// beside an index of more events, or of others).
	if mark == last && l.indexChecked.Load() {
		return nil
	}
	done := make(chan error, 1)
	l.mu.RLock()
	if l.closed {
		l.mu.RUnlock()
		return ErrClosed
	}
	select {
	case l.indexNow <- done:
	case <-ctx.Done():
		l.mu.RUnlock()
		return fmt.Errorf("audit: %w", ctx.Err())
	}
	l.mu.RUnlock()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("audit: %w", ctx.Err())
	}
}

// openIndex opens (creating it when missing) the index file of the log
// at path. Its durability is NORMAL: a transaction lost to a power cut is
// indexed again from the mark.
func openIndex(ctx context.Context, path string) (*db.DB, error) {
	d, err := db.Open(ctx, IndexPath(path), db.SyncNormal)
	if err != nil {
		return nil, err
	}
	if err := d.Migrate(ctx, "audit-index", indexMigrations); err != nil {
		_ = d.Close()
		return nil, err
	}
	return d, nil
}
