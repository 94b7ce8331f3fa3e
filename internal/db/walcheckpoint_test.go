package db

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fill commits n rows of about a page each, one transaction per row.
func fill(t *testing.T, d *DB, from, n int) {
	t.Helper()
	ctx := context.Background()
	for i := from; i < from+n; i++ {
		if _, err := d.W.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, i, strings.Repeat("x", 3000)); err != nil {
			t.Fatal(err)
		}
	}
}

// openForFill opens path (SyncFull) with opts and creates the table fill
// writes to; the database closes when the test ends.
func openForFill(t *testing.T, path string, opts Options) *DB {
	t.Helper()
	ctx := context.Background()
	d, err := OpenWith(ctx, path, SyncFull, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if err := d.Migrate(ctx, "test", []string{`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestBackgroundCheckpointsLeaveCommitsAlone: with background
// checkpoints, no commit writes the database file, however far the WAL
// grows past the automatic checkpoint's 1,000 pages; the checkpoints'
// goroutine then copies it, and what was committed is all there after
// the files are opened again without closing (a crash).
func TestBackgroundCheckpointsLeaveCommitsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "a.db")
	var mu sync.Mutex
	var seen []Checkpoint
	d := openForFill(t, path, Options{BackgroundCheckpoints: true, CheckpointInterval: time.Hour,
		OnCheckpoint: func(cp Checkpoint) { mu.Lock(); seen = append(seen, cp); mu.Unlock() }})
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, d, 0, 1500)
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() != before.Size() {
		t.Fatalf("the database file grew from %d to %d bytes during the commits: a commit ran a checkpoint", before.Size(), after.Size())
	}
	wal, err := os.Stat(path + "-wal")
	if err != nil || wal.Size() < 1500*4096 {
		t.Fatalf("WAL %v, %v: want the 1,500 pages in it", wal, err)
	}

	// A crash now: a copy of the files as they are, opened elsewhere.
	crash := filepath.Join(dir, "crash")
	if err := os.Mkdir(crash, 0o750); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(path + suffix)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(crash, "a.db"+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Open(ctx, filepath.Join(crash, "a.db"), SyncFull)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := c.R.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1500 {
		t.Fatalf("after the crash: %d rows, %v; want 1500", n, err)
	}
	if err := c.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	_ = c.Close()

	// The goroutine's round copies everything; the next commit starts
	// the WAL from its beginning.
	d.ckpt.round()
	mu.Lock()
	last := seen[len(seen)-1]
	mu.Unlock()
	if last.Err != nil || last.Mode != "PASSIVE" || last.Frames < 1500 || last.Copied != last.Frames {
		t.Fatalf("checkpoint %+v: want a PASSIVE one that copied every frame", last)
	}
	fill(t, d, 1500, 1)
	frames, copied := passive(t, d)
	if frames > 10 || copied != frames {
		t.Fatalf("after one more commit the WAL holds %d frames (%d copied); want it restarted", frames, copied)
	}
}

// passive runs a PASSIVE checkpoint on the checkpoints' connection and
// answers the WAL's frames and those copied.
func passive(t *testing.T, d *DB) (int, int) {
	t.Helper()
	var busy, frames, copied int
	if err := d.ckpt.conn.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err != nil {
		t.Fatal(err)
	}
	return frames, copied
}

// TestBackgroundCheckpointsRestartALargeWAL: when the PASSIVE passes
// cannot copy the WAL (a reader holds an old snapshot) and it is past
// MaxWALFrames, a round tries a RESTART, which gives up after its short
// busy timeout while the reader stays, and is not tried again at once;
// once the reader is gone the next
// round copies everything and the WAL starts again. The goroutine also
// runs rounds on its own.
func TestBackgroundCheckpointsRestartALargeWAL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a.db")
	var mu sync.Mutex
	var seen []Checkpoint
	d := openForFill(t, path, Options{BackgroundCheckpoints: true, CheckpointInterval: time.Hour, MaxWALFrames: 200,
		OnCheckpoint: func(cp Checkpoint) { mu.Lock(); seen = append(seen, cp); mu.Unlock() }})
	d.ckpt.round() // the migration's pages out of the way
	tx, err := d.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	fill(t, d, 0, 400)
	mu.Lock()
	seen = nil
	mu.Unlock()
	d.ckpt.round()
	mu.Lock()
	got := append([]Checkpoint(nil), seen...)
	mu.Unlock()
	if len(got) != catchUpPasses+2 {
		t.Fatalf("checkpoints %+v: want %d PASSIVE passes and a RESTART", got, catchUpPasses+1)
	}
	if last := got[len(got)-1]; last.Mode != "RESTART" || !last.Busy || last.Err != nil {
		t.Fatalf("last checkpoint %+v: want a RESTART that gave up on the reader", last)
	}
	fill(t, d, 400, 1) // the writer was not left waiting
	// While the reader stays, the next round tries no RESTART.
	mu.Lock()
	seen = nil
	mu.Unlock()
	d.ckpt.round()
	mu.Lock()
	for _, cp := range seen {
		if cp.Mode != "PASSIVE" {
			t.Errorf("checkpoint %+v right after a RESTART gave up", cp)
		}
	}
	mu.Unlock()
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	d.ckpt.round()
	fill(t, d, 401, 1)
	if frames, copied := passive(t, d); frames > 10 || copied != frames {
		t.Fatalf("once the reader let go the WAL holds %d frames (%d copied); want it restarted", frames, copied)
	}

	// On its own, every CheckpointInterval.
	e, err := OpenWith(ctx, filepath.Join(t.TempDir(), "b.db"), SyncFull, Options{BackgroundCheckpoints: true, CheckpointInterval: 10 * time.Millisecond,
		OnCheckpoint: func(cp Checkpoint) { mu.Lock(); seen = append(seen, cp); mu.Unlock() }})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	mu.Lock()
	seen = nil
	mu.Unlock()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		ran := len(seen)
		mu.Unlock()
		if ran > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the goroutine ran no checkpoint in 30 s")
		}
	}
}

// TestOpenWithoutBackgroundCheckpointsKeepsSQLitesOwn: Open leaves the
// automatic checkpoint as SQLite has it.
func TestOpenWithoutBackgroundCheckpointsKeepsSQLitesOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "a.db"), SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.W.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&n); err != nil || n != 1000 {
		t.Fatalf("wal_autocheckpoint = %d, %v; want SQLite's 1000", n, err)
	}
	if d.ckpt != nil {
		t.Fatal("a checkpoints' goroutine without the option")
	}
}
