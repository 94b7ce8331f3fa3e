package db

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Backup is BackupFile for a database this process has open, as the
// tests take one while they write.
func (d *DB) Backup(ctx context.Context, dst string) error {
	if d.Postgres {
		return errors.New("db: a PostgreSQL database is backed up with the server's own tools (pg_dump), not by ordercare")
	}
	// Not d.R: its query_only pragma refuses VACUUM INTO, and d.W would
	// hold up every writer for the length of the copy.
	return BackupFile(ctx, d.Path, dst)
}

// TestBackupWhileWritingIsAConsistentSnapshot: a backup taken while a
// writer keeps inserting is a complete prefix of the rows (no torn
// transaction: each insert writes two rows that must both be there), it
// passes integrity_check, and it opens as a normal database.
func TestBackupWhileWritingIsAConsistentSnapshot(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, filepath.Join(dir, "live.db"), SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx, "backuptest", []string{`CREATE TABLE pairs (n INTEGER NOT NULL, half INTEGER NOT NULL, PRIMARY KEY (n, half))`}); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := d.W.BeginTx(ctx, nil)
			if err != nil {
				t.Error(err)
				return
			}
			for half := range 2 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO pairs (n, half) VALUES (?, ?)`, n, half); err != nil {
					t.Error(err)
				}
			}
			if err := tx.Commit(); err != nil {
				t.Error(err)
				return
			}
		}
	})
	var copies []string
	for i := range 3 {
		dst := filepath.Join(dir, fmt.Sprintf("copy%d.db", i))
		if err := d.Backup(ctx, dst); err != nil {
			t.Fatal(err)
		}
		copies = append(copies, dst)
	}
	other := filepath.Join(dir, "fromfile.db")
	if err := BackupFile(ctx, d.Path, other); err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	for _, c := range append(copies, other) {
		r, err := Open(ctx, c, SyncNormal)
		if err != nil {
			t.Fatalf("restoring %s: %v", c, err)
		}
		if err := r.IntegrityCheck(ctx); err != nil {
			t.Fatal(err)
		}
		var rows, maxN, odd int
		if err := r.R.QueryRowContext(ctx, `SELECT count(*), coalesce(max(n), -1) FROM pairs`).Scan(&rows, &maxN); err != nil {
			t.Fatal(err)
		}
		if err := r.R.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT n FROM pairs GROUP BY n HAVING count(*) != 2)`).Scan(&odd); err != nil {
			t.Fatal(err)
		}
		if odd != 0 || rows != 2*(maxN+1) {
			t.Fatalf("%s: %d rows up to n=%d with %d torn pairs: not a snapshot", c, rows, maxN, odd)
		}
		r.Close()
	}
}

func TestBackupRefusesToOverwrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	d, err := Open(ctx, filepath.Join(dir, "live.db"), SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dst := filepath.Join(dir, "exists.db")
	if err := os.WriteFile(dst, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := d.Backup(ctx, dst); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "precious" {
		t.Fatal("existing file overwritten")
	}
	if err := BackupFile(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "x.db")); err == nil {
		t.Fatal("backup of a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); !os.IsNotExist(err) {
		t.Fatal("backup created the missing source")
	}
}
