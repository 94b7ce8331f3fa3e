package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// indexDump is the search index as text: every attempt row, the counts and
// what a few full-text and column queries find.
func indexDump(t *testing.T, l *Log) string {
	t.Helper()
	ctx := context.Background()
	if err := l.SyncIndex(ctx); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, q := range []string{`SELECT * FROM attempts ORDER BY tkey`, `SELECT * FROM attempt_counts ORDER BY day, action, outcome`} {
		rows, err := l.idx.R.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []Filter{{}, {Text: "refused"}, {Text: "reason"}, {Outcome: OutcomePending}, {StaffID: 2, Text: "ticket"}} {
		n, err := l.Count(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "count %+v = %d\n", f, n)
	}
	return b.String()
}

// fillIndexed appends attempts of every shape the index distinguishes:
// open, succeeded, failed with an error, reviewed, flagged, reconciled.
func fillIndexed(t *testing.T, l *Log, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		s := attemptSpec{id: fmt.Sprint("ix-", i), at: t0.Add(time.Duration(i) * time.Minute), staff: int64(i%3 + 1),
			order: fmt.Sprint("order-", i%5), action: "create_refund", ticket: fmt.Sprint("ticket-", i),
			body: `{"refunded_amount":1500,"reference":"RF-` + fmt.Sprint(i) + `"}`}
		switch i % 4 {
		case 1:
			s.outcome = OutcomeSucceeded
		case 2:
			s.outcome, s.code, s.msgs = OutcomeFailed, "REFUND_NOT_ALLOWED", []string{"refused by the provider"}
		case 3:
			s.outcome = OutcomeUnknown
		}
		appendAttempt(t, l, s)
		supervisor := Actor{StaffID: 9, Email: "sup@example.com", Role: "supervisor"}
		switch i % 6 {
		case 1:
			if _, err := l.Review(ctx, supervisor, s.id, ReviewReviewed, ""); err != nil {
				t.Fatal(err)
			}
		case 2:
			if _, err := l.Review(ctx, supervisor, s.id, ReviewFlagged, "ask the agent"); err != nil {
				t.Fatal(err)
			}
		case 3:
			if _, err := l.Reconciled(ctx, supervisor, s.id, map[string]string{"refunded_amount": "15.00 EUR"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestIndexRebuiltFromTheMarkAfterACrash: the process died after
// committing events and before indexing them (the index tables and the
// mark are put back to nothing). The next writer indexes them at start,
// to exactly the index kept while they were appended.
func TestIndexRebuiltFromTheMarkAfterACrash(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, path := openOn(t, be, Options{})
		fillIndexed(t, l, 40)
		want := indexDump(t, l)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		d, reset := indexOn(t, be, path)
		for _, q := range reset {
			if _, err := d.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		_ = d.Close()

		l2, err := OpenWith(ctx, path, Options{Now: func() time.Time { return t0 }, DatabaseURL: be.URL})
		if err != nil {
			t.Fatal(err)
		}
		defer l2.Close()
		if got := indexDump(t, l2); got != want {
			t.Fatalf("index after the restart:\n%s\nwant (as kept at append time):\n%s", got, want)
		}
	})
}

// TestSearchSeesTheEventJustAppended: the index is kept after the commit,
// yet a search started after Append returned must find the event (an
// agent's change, then the audit page).
func TestSearchSeesTheEventJustAppended(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		for i := range 20 {
			appendAttempt(t, l, attemptSpec{id: fmt.Sprint("now-", i), at: t0, staff: 4, order: "o", action: "create_refund",
				body: `{"refunded_amount":700}`})
			if n, err := l.Count(ctx, Filter{StaffID: 4}); err != nil || n != int64(i+1) {
				t.Fatalf("after %d appends Count = %d, %v", i+1, n, err)
			}
			if p, err := l.Attempts(ctx, Filter{Text: fmt.Sprint("now-", i)}, ""); err != nil || len(p.Rows) != 1 {
				t.Fatalf("search for the attempt just appended: %+v, %v", p, err)
			}
			if tot, err := l.RefundTotals(ctx, 4, t0.Add(-time.Hour)); err != nil || tot["EUR"] != int64(700*(i+1)) {
				t.Fatalf("refund totals after %d refunds = %v, %v", i+1, tot, err)
			}
		}
	})
}

// TestTwoWritersIndexEachEventOnce: the web process and an admin command
// append to one file at once; both index, and readers ask for the index
// while they do. Every attempt is indexed once.
func TestTwoWritersIndexEachEventOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		a, path := openOn(t, be, Options{})
		b, err := OpenWith(ctx, path, Options{Now: func() time.Time { return t0 }, DatabaseURL: be.URL})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		const each = 150
		var wg sync.WaitGroup
		for w, l := range []*Log{a, b} {
			wg.Go(func() {
				for i := range each {
					appendAttempt(t, l, attemptSpec{id: fmt.Sprintf("w%d-%d", w, i), at: t0.Add(time.Duration(i) * time.Second),
						staff: int64(w + 1), order: "o", action: "cancel", outcome: OutcomeSucceeded})
					if i%25 == 0 {
						if _, err := l.Count(ctx, Filter{}); err != nil {
							t.Error(err)
						}
					}
				}
			})
		}
		wg.Wait()
		for _, l := range []*Log{a, b} {
			if n, err := l.Count(ctx, Filter{Outcome: OutcomeSucceeded}); err != nil || n != 2*each {
				t.Fatalf("succeeded attempts = %d, %v; want %d", n, err, 2*each)
			}
		}
		var rows, distinct int
		if err := a.idx.R.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT attempt_id) FROM attempts`).Scan(&rows, &distinct); err != nil {
			t.Fatal(err)
		}
		if rows != 2*each || distinct != 2*each {
			t.Fatalf("attempts rows %d (distinct %d), want %d", rows, distinct, 2*each)
		}
	})
}

// TestIndexFeedLeavesNoCopyInTheFile: the feed is a temporary table, so
// the words of indexed events are in the file once (in events), not
// also in pages the feed freed.
func TestIndexFeedLeavesNoCopyInTheFile(t *testing.T) {
	t.Parallel()
	l, _ := openTest(t)
	var kind sql.NullString
	appendAttempt(t, l, attemptSpec{id: "feed-1", at: t0, order: "o", action: "cancel"})
	if err := l.SyncIndex(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.db.R.QueryRow(`SELECT type FROM sqlite_schema WHERE name = 'index_feed'`).Scan(&kind); err != sql.ErrNoRows {
		t.Fatalf("index_feed in the database file: %v, %v", kind, err)
	}
}

// reopen opens the log at path again, closed with the test.
func reopen(t *testing.T, path string) *Log {
	t.Helper()
	l, err := OpenWith(context.Background(), path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// TestIndexRebuiltWhenItsFileIsLost: the index is derived, in a file of
// its own. Without that file (deleted, or a log from before the index
// moved there) the log opens and the index is built again from the
// events, to exactly the index kept while they were appended; the log's
// own file holds no index table.
func TestIndexRebuiltWhenItsFileIsLost(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, path := openOn(t, be, Options{})
		fillIndexed(t, l, 40)
		want := indexDump(t, l)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(IndexPath(path) + suffix); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
		}
		l2 := reopenOn(t, be, path)
		if got := indexDump(t, l2); got != want {
			t.Fatalf("index rebuilt without its file:\n%s\nwant:\n%s", got, want)
		}
		if be.URL != "" {
			return // the rest is about audit.db's own file
		}
		var n int
		if err := l2.db.R.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('attempts', 'attempt_counts', 'attempt_text', 'index_state')`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("index tables in the log's file: %d, %v", n, err)
		}
	})
}

// TestIndexOfAnotherLogIsRebuilt: audit.db restored from a backup (older
// than its index, or another log altogether) beside an index that covers
// events it does not hold. The index is built again from the events the
// log holds; nothing of the other log is found.
func TestIndexOfAnotherLogIsRebuilt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, path := openTest(t)
	fillIndexed(t, l, 12)
	want := indexDump(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "audit.db")
	copyFile(t, path, backup)
	l = reopen(t, path)
	for i := range 8 {
		appendAttempt(t, l, attemptSpec{id: fmt.Sprint("later-", i), at: t0.Add(time.Hour), order: "o", action: "cancel",
			ticket: "after-the-backup"})
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	copyFile(t, backup, path) // restored: the index covers 8 attempts more than the log holds

	l2 := reopen(t, path)
	if got := indexDump(t, l2); got != want {
		t.Fatalf("index after the restore:\n%s\nwant (the restored log's own):\n%s", got, want)
	}
	if n, err := l2.Count(ctx, Filter{Text: "after-the-backup"}); err != nil || n != 0 {
		t.Fatalf("attempts not in the restored log still found: %d, %v", n, err)
	}
}

// copyFile copies a closed SQLite file (its WAL was checkpointed at close).
func copyFile(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		_ = os.Remove(to + suffix)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAppendsDoNotWaitForTheIndex: the index has its own file and its own
// lock. While another connection holds the index's write lock, appends
// still commit at once; a search waits for the index, then sees them.
func TestAppendsDoNotWaitForTheIndex(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, path := openOn(t, be, Options{})
		release := holdIndexLock(t, be, path)
		appended := make(chan error, 1)
		go func() {
			for i := range 20 {
				if _, err := l.Append(ctx, sampleEvent(i)); err != nil {
					appended <- err
					return
				}
			}
			appended <- nil
		}()
		select {
		case err := <-appended:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("appends waited for the index's write lock")
		}
		counted := make(chan int64, 1)
		go func() {
			n, err := l.Count(ctx, Filter{})
			if err != nil {
				t.Error(err)
			}
			counted <- n
		}()
		select {
		case n := <-counted:
			t.Fatalf("a search answered (%d attempts) while the index could not be written", n)
		case <-time.After(200 * time.Millisecond):
		}
		release()
		if n := <-counted; n != 20 {
			t.Fatalf("search after the index was free: %d attempts, want 20", n)
		}
	})
}

// TestIndexKeptWhileAppendsNeverPause: the indexer waits for a pause in
// the appends, but not for longer than indexMaxLag, and after the last
// append it catches up with no reader asking.
func TestIndexKeptWhileAppendsNeverPause(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		mark := func() int64 {
			var n int64
			if err := l.idx.R.QueryRowContext(ctx, `SELECT seq FROM index_state`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		stream := indexMaxLag + indexMaxLag/2
		start := time.Now()
		for i := 0; time.Since(start) < stream; i++ {
			if _, err := l.Append(ctx, sampleEvent(i)); err != nil {
				t.Fatal(err)
			}
			time.Sleep(indexDelay / 5)
		}
		if m := mark(); m == 0 {
			t.Fatalf("nothing indexed after %s of appends %s apart; the index may lag at most %s", stream, indexDelay/5, indexMaxLag)
		}
		last, _, err := l.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for mark() < last {
			if time.Now().After(deadline) {
				t.Fatalf("index at %d of %d events 5 s after the last append", mark(), last)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// indexOn opens the search index of the log at path on b from outside
// the log, with the statements that empty it.
func indexOn(t testing.TB, be dbtest.Backend, path string) (*sql.DB, []string) {
	t.Helper()
	if be.URL == "" {
		return rawDB(t, IndexPath(path)), resetIndex
	}
	d, err := openPGIndex(context.Background(), be.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	return d.W, pgResetIndex
}

// holdIndexLock takes the search index's write lock from outside the log
// (another process on SQLite, another instance on PostgreSQL) until the
// returned func gives it back.
func holdIndexLock(t *testing.T, be dbtest.Backend, path string) func() {
	t.Helper()
	ctx := context.Background()
	if be.URL == "" {
		holder := rawDB(t, IndexPath(path))
		hold, err := holder.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hold.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
			t.Fatal(err)
		}
		return func() {
			if _, err := hold.ExecContext(ctx, `ROLLBACK`); err != nil {
				t.Error(err)
			}
			_ = hold.Close()
			_ = holder.Close()
		}
	}
	d, err := openPGIndex(ctx, be.URL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := tx.Rollback(); err != nil {
			t.Error(err)
		}
		_ = d.Close()
	}
}
