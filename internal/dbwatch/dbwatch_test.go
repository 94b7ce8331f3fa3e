package dbwatch

import (
	"context"
	"path/filepath"
	"testing"

	"ordercare/internal/db"
)

// TestWatchWhileAnotherGoroutineOpensADatabase is first in the file and
// not parallel, so its Watch is the package's first: under -race it fails
// if watching registers the driver's hook then, unsynchronised with the
// connection another goroutine is opening (CI saw that race between
// parallel tests of internal/orders).
func TestWatchWhileAnotherGoroutineOpensADatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "other.db")
	opened := make(chan error)
	go func() {
		d, err := db.Open(ctx, path, db.SyncNormal)
		if err == nil {
			err = d.Close()
		}
		opened <- err
	}()
	dir := t.TempDir()
	c := Watch(dir)
	if err := <-opened; err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.W.ExecContext(ctx, `CREATE TABLE t (x)`); err != nil {
		t.Fatal(err)
	}
	if c.Commits("admin.db") == 0 {
		t.Fatal("a write on a watched file was not counted")
	}
}

func TestCountsCommitsAndRowsOfWritersInTheFolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir, other := t.TempDir(), t.TempDir()
	c := Watch(dir)
	d, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	elsewhere, err := db.Open(ctx, filepath.Join(other, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer elsewhere.Close()
	for _, x := range []*db.DB{d, elsewhere} {
		if _, err := x.W.ExecContext(ctx, `CREATE TABLE t (v INTEGER)`); err != nil {
			t.Fatal(err)
		}
	}
	start := c.Commits("admin.db")
	steps := []struct {
		name    string
		run     func() error
		commits int64
		rows    int64
	}{
		{"one insert", func() error { _, err := d.W.ExecContext(ctx, `INSERT INTO t VALUES (1)`); return err }, 1, 1},
		{"a transaction of three rows", func() error {
			tx, err := d.W.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			for i := range 3 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (?)`, i); err != nil {
					return err
				}
			}
			return tx.Commit()
		}, 1, 3},
		{"a read", func() error {
			var n int
			return d.R.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
		}, 0, 0},
		{"a write to another folder's database", func() error {
			_, err := elsewhere.W.ExecContext(ctx, `INSERT INTO t VALUES (1)`)
			return err
		}, 0, 0},
	}
	for _, s := range steps {
		commits, rows := c.Commits("admin.db"), c.Rows()["admin.db t"]
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := c.Commits("admin.db") - commits; got != s.commits {
			t.Errorf("%s: %d commits counted, want %d", s.name, got, s.commits)
		}
		if got := c.Rows()["admin.db t"] - rows; got != s.rows {
			t.Errorf("%s: %d rows counted, want %d", s.name, got, s.rows)
		}
	}
	if c.CommitsByFile()["admin.db"] != c.Commits("admin.db") || c.Commits("admin.db") <= start {
		t.Fatalf("by file: %v", c.CommitsByFile())
	}
}
