package audit

import (
	"context"
	"database/sql"
	"fmt"
)

// feeder is how the indexer reads the log's events into its connection
// to the index file, whose triggers (the index's rules, written once in
// schema.go) index them. On PostgreSQL the index is in the log's own
// database and needs no feeder (index_postgres.go).
func (l *Log) feeder() sqliteFeed { return sqliteFeed{l: l} }

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
	return runSteps(ctx, c, []step{{feedSQL, []any{from, to}}, {`DELETE FROM index_feed`, nil},
		{`UPDATE index_state SET seq = ?1, hash = (SELECT hash FROM ev.events WHERE seq = ?1)`, []any{to}}})
}
