package audit

import (
	"regexp"
	"sync"
)

// The log's SQL is written once, in SQLite's dialect with ? placeholders,
// which PostgreSQL's connections number (db.OpenPostgres). What
// PostgreSQL says differently is kept small: its migrations
// (schema_postgres.go), the JSON reads of the money records
// (money_records.go), how the search index is fed (index_feed.go), and
// the planner hints below.

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
	if q, ok := pgQueries.Load(query); ok {
		return q.(string)
	}
	q := unaryPlus.ReplaceAllString(query, "$1$2$3")
	q = indexedBy.ReplaceAllString(q, "")
	pgQueries.Store(query, q)
	return q
}
