package audit

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// The search index (attempts, attempt_counts, attempt_text: search.go,
// review_queue.go) is derived from the events and kept by the writer
// goroutine after the appends' commit, not inside it (migration 6): an
// agent's change waits for its event to be durable, never for the index.
//
// Readers of the index call SyncIndex first, so that a search sees every
// event committed before it started, whoever appended it.
const (
	// IndexBatch is the most events one index transaction covers, and how
	// far the index may fall behind under a steady stream of appends
	// before the writer stops to index.
	IndexBatch = 1024
	// indexDelay is how long the writer waits after a commit, with no
	// further event arriving, before it indexes what is left.
	indexDelay = 20 * time.Millisecond
)

// feedSchema is the indexer's feed: a TEMP table (in memory, with
// temp_store=MEMORY, so the words of the events are not copied into the
// file's free pages) with the index triggers, created on the writer's
// connection the first time it indexes. NEW in the trigger bodies is the
// event being indexed.
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

// feedSQL copies the events of (?1, ?2] to index_feed, in seq order, so
// that its triggers index them one after the other as the events'
// own triggers did; the rows are deleted in the same transaction.
const feedSQL = `INSERT INTO index_feed (seq, time, kind, attempt_id, staff_id, staff_email, order_id, action,
		reason, ticket, idempotency_key, request, outcome, http_status, error_code, error_messages,
		correlation_id, resource_id, duration_ms, detail_json)
	SELECT seq, time, kind, attempt_id, staff_id, staff_email, order_id, action,
		reason, ticket, idempotency_key, request, outcome, http_status, error_code, error_messages,
		correlation_id, resource_id, duration_ms, detail_json
	FROM events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq`

// markQuery reads the last event indexed and the last event stored.
const markQuery = `SELECT (SELECT seq FROM index_state), (SELECT coalesce(max(seq), 0) FROM events)`

// indexStep indexes up to IndexBatch events past the mark in one
// transaction and reports whether events are left after it.
func (l *Log) indexStep(ctx context.Context) (more bool, err error) {
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("audit: index: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	var mark, last int64
	if err := tx.QueryRowContext(ctx, markQuery).Scan(&mark, &last); err != nil {
		return false, fmt.Errorf("audit: index: mark: %w", err)
	}
	if last <= mark {
		return false, nil
	}
	to := min(last, mark+IndexBatch)
	steps := []struct {
		sql  string
		args []any
	}{{feedSchema, nil}, {feedSQL, []any{mark, to}}, {`DELETE FROM index_feed`, nil}, {`UPDATE index_state SET seq = ?`, []any{to}}}
	for _, st := range steps {
		if _, err := tx.ExecContext(ctx, st.sql, st.args...); err != nil {
			return false, fmt.Errorf("audit: index events %d-%d: %w", mark+1, to, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("audit: index: commit: %w", err)
	}
	return to < last, nil
}

// catchUp indexes every event committed so far.
func (l *Log) catchUp() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for {
		more, err := l.indexStep(ctx)
		if err != nil || !more {
			return err
		}
	}
}

// logIndexError reports a failed indexing: the events are stored and
// the next run retries them, so the writer carries on.
func (l *Log) logIndexError(err error) {
	if err != nil {
		slog.Default().Error("audit search index", slog.Any("err", err))
	}
}

// SyncIndex returns once the search index covers every event committed
// before the call: at once when it does already (one read), otherwise
// after the writer has indexed them.
func (l *Log) SyncIndex(ctx context.Context) error {
	var mark, last int64
	if err := l.db.QueryRow(ctx, markQuery).Scan(&mark, &last); err != nil {
		return fmt.Errorf("audit: index mark: %w", err)
	}
	if mark >= last {
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
