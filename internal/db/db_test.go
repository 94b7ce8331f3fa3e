package db

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenAppliesPragmasAndMigrates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "a.db")
	d, err := Open(ctx, path, SyncFull)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var syncN int
	if err := d.R.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&syncN); err != nil || syncN != 2 {
		t.Fatalf("reader synchronous = %d, %v; want FULL (2)", syncN, err)
	}
	migs := []string{`CREATE TABLE t (x INTEGER)`, `INSERT INTO t VALUES (1)`}
	for range 2 { // twice: the second run must apply nothing
		if err := d.Migrate(ctx, "test", migs); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows = %d, %v; want 1 (migration applied once)", n, err)
	}
	if _, err := d.R.ExecContext(ctx, "INSERT INTO t VALUES (2)"); err == nil || !strings.Contains(err.Error(), "readonly") {
		t.Fatalf("reader pool wrote: %v", err)
	}
	if err := d.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUnwritablePath(t *testing.T) {
	t.Parallel()
	if _, err := Open(context.Background(), "/proc/nope/x.db", SyncNormal); err == nil {
		t.Fatal("opened a database under /proc")
	}
}
