package audit

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sync"
)

// The log's SQL is written once, in SQLite's dialect with ? placeholders,
// which PostgreSQL's connections number (db.OpenPostgres). What
// PostgreSQL says differently is kept small: its migrations
// (schema_postgres.go), the JSON reads of the money records
// (money_records.go), how the search index is fed (index_feed.go), how
// a batch is inserted (below), and the planner hints below.

// SQLite's planner hints: a unary + before a column keeps SQLite from
// driving a query by that column's index
// (https://www.sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_),
// and INDEXED BY names the index to use
// (https://www.sqlite.org/lang_indexedby.html). SQLite keeps no
// statistics about these tables, so the queries choose for it;
// PostgreSQL plans from its statistics, and rejects both (it has no
// unary + on text).
var (
	unaryPlus = regexp.MustCompile(`(^|[\s(,])\+([a-z_]+\.)?([a-z_]+)`)
	indexedBy = regexp.MustCompile(`\s+INDEXED BY\s+[a-z_]+`)
	pgQueries sync.Map // SQLite's text -> PostgreSQL's
)

// sql is query in the dialect of the log's database.
func (l *Log) sql(query string) string {
	if !l.db.Postgres {
		return query
	}
	return rewritten(&pgQueries, query, func(q string) string {
		return indexedBy.ReplaceAllString(unaryPlus.ReplaceAllString(q, "$1$2$3"), "")
	})
}

// rewritten is query as rewrite makes it, kept in cache: the queries
// are a fixed set of texts built from constants.
func rewritten(cache *sync.Map, query string, rewrite func(string) string) string {
	if q, ok := cache.Load(query); ok {
		return q.(string)
	}
	q := rewrite(query)
	cache.Store(query, q)
	return q
}

// pgInsertBatchSQL inserts a whole batch in one statement, a column per
// array (https://www.postgresql.org/docs/current/functions-array.html,
// unnest with several arguments): on PostgreSQL each statement is a
// round trip to the server, and a batch under 50 writers holds 30 or
// more events, all waiting for it.
const pgInsertBatchSQL = `INSERT INTO events (` + selectColumns + `) SELECT * FROM unnest(
	?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[],
	?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::text[], ?::text[],
	?::text[], ?::integer[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[],
	?::text[], ?::text[], ?::text[], ?::text[])`

// insertBatch inserts the chained events of a batch with
// pgInsertBatchSQL, their columns as arrays in the order of row.args.
func insertBatch(ctx context.Context, tx *sql.Tx, batch []*appendReq) error {
	n := len(batch)
	rows := make([][]any, n)
	for j, req := range batch {
		rows[j] = req.r.args()
	}
	cols := make([]any, len(rows[0]))
	for i, v := range rows[0] {
		switch v.(type) {
		case int64:
			cols[i] = column[int64](rows, i)
		case []byte:
			cols[i] = column[[]byte](rows, i)
		default:
			cols[i] = column[string](rows, i)
		}
	}
	if _, err := tx.ExecContext(ctx, pgInsertBatchSQL, cols...); err != nil {
		return fmt.Errorf("audit: append events %d-%d: %w", batch[0].r.Seq, batch[n-1].r.Seq, err)
	}
	return nil
}

// column is column i of rows as one array.
func column[T any](rows [][]any, i int) []T {
	c := make([]T, len(rows))
	for j, r := range rows {
		c[j] = r[i].(T)
	}
	return c
}
