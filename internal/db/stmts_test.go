package db

import (
	"context"
	"path/filepath"
	"testing"
)

// TestQueryKeepsOneStatementPerText: the cached reads answer like plain
// ones, see writes made after they were prepared, keep one statement per
// query text, and a bad query is an error at the caller, not a panic.
func TestQueryKeepsOneStatementPerText(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE t (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM t WHERE n > ?`, 0).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for want := range 3 {
		if got := count(); got != want {
			t.Fatalf("count = %d, want %d", got, want)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO t (n) VALUES (?)`, want+1); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := d.Query(ctx, `SELECT n FROM t ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	var sum int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		sum += n
	}
	rows.Close()
	if sum != 6 {
		t.Fatalf("sum = %d, want 6", sum)
	}
	if n := len(d.stmts.m); n != 2 {
		t.Fatalf("%d statements kept for 2 query texts", n)
	}
	if _, err := d.Query(ctx, `SELECT nothing FROM nowhere`); err == nil {
		t.Fatal("a bad query prepared")
	}
	var n int
	if err := d.QueryRow(ctx, `SELECT nothing FROM nowhere`).Scan(&n); err == nil {
		t.Fatal("a bad query row scanned")
	}
}
