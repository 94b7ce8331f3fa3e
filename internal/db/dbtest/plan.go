package dbtest

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// QueryPlan is SQLite's EXPLAIN QUERY PLAN of query with args: the
// details of its steps joined by "; ", as tests pin the index a
// statement searches (https://sqlite.org/eqp.html).
func QueryPlan(t testing.TB, r *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := r.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("query plan: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("query plan: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query plan: %v", err)
	}
	return strings.Join(plan, "; ")
}
