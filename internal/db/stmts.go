package db

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache holds the reader pool's prepared statements by their SQL text.
// SQLite parses and plans a statement each time it is prepared; for the
// reads of every page (an order's history, its approval requests) that
// parsing cost more than running them. database/sql prepares a cached
// *sql.Stmt once per pooled connection and reuses it.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// Query runs a read on the reader pool through a prepared statement kept
// by its text. Use it for queries whose text is one of a fixed set (built
// from constants); a query text that varies with the values would grow
// the cache without bound.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRow is Query for one row.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.stmt(ctx, query)
	if err != nil {
		// The plain query reports the same error through Row.Scan.
		return d.R.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (d *DB) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	if st, ok := d.stmts.m[query]; ok {
		return st, nil
	}
	st, err := d.R.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("db: prepare: %w", err)
	}
	if d.stmts.m == nil {
		d.stmts.m = map[string]*sql.Stmt{}
	}
	d.stmts.m[query] = st
	return st, nil
}

// closeStmts closes the cached statements (Close).
func (d *DB) closeStmts() {
	d.stmts.mu.Lock()
	defer d.stmts.mu.Unlock()
	for _, st := range d.stmts.m {
		_ = st.Close() // closing the pool releases them anyway
	}
	d.stmts.m = nil
}
