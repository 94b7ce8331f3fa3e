package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// feeder is how the indexer reads the log's events into its connection
// to the index file, whose triggers (the index's rules, written once in
// schema.go) index them: the one thing the index does differently on
// each database of the log.
type feeder interface {
	// connect prepares the indexer's connection c.
	connect(ctx context.Context, c *sql.Conn) error
	// head returns the hash of the log's event seq (not valid when there
	// is none) and the log's last seq.
	head(ctx context.Context, c *sql.Conn, seq int64) (sql.NullString, int64, error)
	// feed inserts the events of seq (from, to] into index_feed, in seq
	// order, empties it again, and moves index_state's mark to event to.
	feed(ctx context.Context, c *sql.Conn, from, to int64) error
}

func (l *Log) feeder() feeder {
	if l.db.Postgres {
		return pgFeed{l: l}
	}
	return sqliteFeed{l: l}
}

// sqliteFeed attaches audit.db to the indexer's connection (as ev): the
// events go from one file to the other in one statement.
type sqliteFeed struct{ l *Log }

// feedSQL copies the events of (from, to] to index_feed, in seq order, so
// that its triggers index them one after the other; the rows are deleted
// in the same transaction.
const feedSQL = `INSERT INTO index_feed (seq, time, kind, attempt_id, staff_id, staff_email, order_id, action,
		reason, ticket, idempotency_key, request, outcome, http_status, error_code, error_messages,
		correlation_id, resource_id, duration_ms, detail_json)
	SELECT ` + feedColumns + `
	FROM ev.events WHERE seq > ?1 AND seq <= ?2 ORDER BY seq`

// feedColumns are the columns of an event that index_feed holds.
const feedColumns = `seq, time, kind, attempt_id, staff_id, staff_email, order_id, action,
		reason, ticket, idempotency_key, request, outcome, http_status, error_code, error_messages,
		correlation_id, resource_id, duration_ms, detail_json`

func (f sqliteFeed) connect(ctx context.Context, c *sql.Conn) error {
	// A plain path, not a file: URI, which a connection opened without
	// URI names would take for a file name and create.
	if _, err := c.ExecContext(ctx, `ATTACH DATABASE ? AS ev`, f.l.db.Path); err != nil {
		return fmt.Errorf("attach the log: %w", err)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM ev.sqlite_schema WHERE name = 'events'`).Scan(&n); err != nil || n != 1 {
		return fmt.Errorf("attach the log: no events table in %s (%v)", f.l.db.Path, err)
	}
	return nil
}

func (f sqliteFeed) head(ctx context.Context, c *sql.Conn, seq int64) (sql.NullString, int64, error) {
	var h sql.NullString
	var last int64
	err := c.QueryRowContext(ctx, `SELECT (SELECT hash FROM ev.events WHERE seq = ?),
		(SELECT coalesce(max(seq), 0) FROM ev.events)`, seq).Scan(&h, &last)
	return h, last, err
}

func (f sqliteFeed) feed(ctx context.Context, c *sql.Conn, from, to int64) error {
	steps := []struct {
		sql  string
		args []any
	}{{feedSQL, []any{from, to}}, {`DELETE FROM index_feed`, nil},
		{`UPDATE index_state SET seq = ?1, hash = (SELECT hash FROM ev.events WHERE seq = ?1)`, []any{to}}}
	for _, st := range steps {
		if _, err := c.ExecContext(ctx, st.sql, st.args...); err != nil {
			return err
		}
	}
	return nil
}

// pgFeed reads the events from PostgreSQL and inserts them into
// index_feed row by row. The completed trigger reads the attempt's
// requested event from `events`, which on this connection is a TEMP
// table (found before any other of that name) holding, for each batch,
// the requested events of the attempts the batch completes.
type pgFeed struct{ l *Log }

const pgFeedSchema = `CREATE TEMP TABLE IF NOT EXISTS events (
	seq             INTEGER PRIMARY KEY,
	attempt_id      TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	ticket          TEXT    NOT NULL,
	idempotency_key TEXT    NOT NULL,
	request         BLOB    NOT NULL
) STRICT`

// pgRequestedSQL selects the requested events of the attempts that the
// events of (from, to] complete (through events_attempt).
const pgRequestedSQL = `SELECT seq, attempt_id, reason, ticket, idempotency_key, request FROM events
	WHERE kind = 'requested' AND attempt_id <> '' AND seq <= ? AND attempt_id IN (
		SELECT attempt_id FROM events WHERE seq > ? AND seq <= ? AND kind = 'completed' AND attempt_id <> '')`

func (f pgFeed) connect(ctx context.Context, c *sql.Conn) error {
	_, err := c.ExecContext(ctx, pgFeedSchema)
	return err
}

func (f pgFeed) head(ctx context.Context, _ *sql.Conn, seq int64) (sql.NullString, int64, error) {
	var h sql.NullString
	err := f.l.db.R.QueryRowContext(ctx, `SELECT hash FROM events WHERE seq = ?`, seq).Scan(&h)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, 0, err
	}
	last, _, err := head(ctx, f.l.db.R)
	return h, last, err
}

func (f pgFeed) feed(ctx context.Context, c *sql.Conn, from, to int64) error {
	if err := f.copyRows(ctx, c, `INSERT INTO temp.events (seq, attempt_id, reason, ticket, idempotency_key, request)
		VALUES (?, ?, ?, ?, ?, ?)`, pgRequestedSQL, 6, to, from, to); err != nil {
		return err
	}
	if err := f.copyRows(ctx, c, `INSERT INTO index_feed (`+feedColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		`SELECT `+feedColumns+` FROM events WHERE seq > ? AND seq <= ? ORDER BY seq`, 20, from, to); err != nil {
		return err
	}
	var toHash string
	if err := f.l.db.R.QueryRowContext(ctx, `SELECT hash FROM events WHERE seq = ?`, to).Scan(&toHash); err != nil {
		return err
	}
	for _, q := range []string{`DELETE FROM index_feed`, `DELETE FROM temp.events`} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	_, err := c.ExecContext(ctx, `UPDATE index_state SET seq = ?, hash = ?`, to, toHash)
	return err
}

// copyRows runs query (of n columns) on PostgreSQL and inserts each row
// it returns, in order, with insert on c.
func (f pgFeed) copyRows(ctx context.Context, c *sql.Conn, insert, query string, n int, args ...any) error {
	rows, err := f.l.db.R.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	st, err := c.PrepareContext(ctx, insert)
	if err != nil {
		return err
	}
	defer st.Close()
	vals := make([]any, n)
	ptrs := make([]any, n)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if _, err := st.ExecContext(ctx, vals...); err != nil {
			return err
		}
	}
	return rows.Err()
}
