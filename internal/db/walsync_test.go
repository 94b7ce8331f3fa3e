package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// A commit that skips the fsync must not leave the writer skipping it:
// the next transaction of the same connection (another table of the
// same database) is FULL again.
func TestTxUnsyncedLeavesTheWriterAsOpened(t *testing.T) {
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "x.db"), SyncFull)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.ExecContext(ctx, "CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	var during int
	if err := d.TxUnsynced(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&during)
	}); err != nil {
		t.Fatal(err)
	}
	var after int
	if err := d.W.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if during != 1 || after != 2 {
		t.Fatalf("synchronous during the transaction = %d, after = %d; want 1 (NORMAL), then 2 (FULL)", during, after)
	}
	if err := d.SyncWAL(); err != nil {
		t.Fatalf("SyncWAL after a commit: %v", err)
	}
	var n int
	if err := d.R.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows seen by a reader = %d, %v", n, err)
	}
}
