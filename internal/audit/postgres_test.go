package audit

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// openOn opens a log with opts on backend b: audit.db in a temporary
// folder on SQLite; on PostgreSQL, b's database, with this instance's
// search index and checkpoint file in a temporary folder. The clock is
// t0 unless opts sets one.
func openOn(t testing.TB, b dbtest.Backend, opts Options) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	opts.DatabaseURL = b.URL
	if opts.Now == nil {
		opts.Now = func() time.Time { return t0 }
	}
	l, err := OpenWith(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

// reopenOn opens the log at path on b again, closed with the test.
func reopenOn(t *testing.T, b dbtest.Backend, path string) *Log {
	t.Helper()
	l, err := OpenWith(context.Background(), path, Options{Now: func() time.Time { return t0 }, DatabaseURL: b.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// plainOn opens the log's database on a connection of its own, as
// another process (an attacker with access to it, a failing disk) would:
// the SQLite file at path, or b's PostgreSQL database.
func plainOn(t *testing.T, b dbtest.Backend, path string) *sql.DB {
	t.Helper()
	if b.URL == "" {
		return rawDB(t, path)
	}
	d, err := sql.Open("pgx", b.URL)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tamperOn runs stmts on the log's database as someone with write access
// to it would, with the append-only triggers out of the way (dropped on
// SQLite; disabled, as the table's owner may, on PostgreSQL).
func tamperOn(t *testing.T, b dbtest.Backend, path string, stmts ...string) {
	t.Helper()
	if b.URL == "" {
		tamper(t, path, stmts...)
		return
	}
	d := plainOn(t, b, path)
	defer d.Close()
	for _, s := range append([]string{`ALTER TABLE events DISABLE TRIGGER USER`}, stmts...) {
		if _, err := d.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// dbOf is what names the log's database to the functions that open it
// from outside a Log (VerifyFile, VerifySources): its path on SQLite, its
// URL on PostgreSQL.
func dbOf(b dbtest.Backend, path string) string {
	if b.URL != "" {
		return b.URL
	}
	return path
}

// verifyOn verifies the log on b as `admin audit verify` does, from
// outside any open Log.
func verifyOn(ctx context.Context, b dbtest.Backend, path string) (VerifyResult, error) {
	return VerifyFile(ctx, dbOf(b, path))
}

// fillClosedOn appends n sample events to a new log on b and closes it.
func fillClosedOn(t *testing.T, b dbtest.Backend, n int) string {
	t.Helper()
	l, path := openOn(t, b, Options{})
	for i := 1; i <= n; i++ {
		if _, err := l.Append(context.Background(), sampleEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTwoInstancesAppendOneChain: two instances (two Logs, each with its
// own connections, writer and indexer) append at once to one PostgreSQL
// database. Every acknowledged event is stored once, under its
// instance's name, in one chain that verifies, with group commit still
// batching; each instance's search sees the other's attempts.
func TestTwoInstancesAppendOneChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := dbtest.Postgres(t)
	web1, _ := openOn(t, b, Options{Instance: "web-1"})
	web2, _ := openOn(t, b, Options{Instance: "web-2"})
	const writers, each = 10, 30
	var mu sync.Mutex
	acked := map[int64]Event{}
	var wg sync.WaitGroup
	for w := range writers {
		l := web1
		if w%2 == 1 {
			l = web2
		}
		wg.Go(func() {
			for i := range each {
				e, err := l.Append(ctx, sampleEvent(w*1000+i))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if _, dup := acked[e.Seq]; dup {
					t.Errorf("seq %d acknowledged twice", e.Seq)
				}
				acked[e.Seq] = e
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	n, _, err := web2.Head(ctx)
	if err != nil || n != writers*each || len(acked) != writers*each {
		t.Fatalf("head %d (%v), %d acknowledged, want %d", n, err, len(acked), writers*each)
	}
	byInstance := map[string]int{}
	for seq, want := range acked {
		got, err := web1.Event(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		if got.Hash != want.Hash || got.Instance != want.Instance || got.AttemptID != want.AttemptID {
			t.Fatalf("event %d stored as %+v, acknowledged as %+v", seq, got, want)
		}
		byInstance[got.Instance]++
	}
	if byInstance["web-1"] != writers/2*each || byInstance["web-2"] != writers/2*each {
		t.Fatalf("events per instance: %v", byInstance)
	}
	for _, l := range []*Log{web1, web2} {
		res, err := l.Verify(ctx)
		if err != nil || !res.OK || res.Events != writers*each {
			t.Fatalf("verify = %+v %v", res, err)
		}
	}
	if res, err := VerifyFile(ctx, b.URL); err != nil || !res.OK || res.Events != writers*each {
		t.Fatalf("verify the database = %+v %v", res, err)
	}
	if s1, s2 := web1.Stats(), web2.Stats(); s1.Events+s2.Events != writers*each || s1.Commits+s2.Commits >= writers*each {
		t.Fatalf("group commit did not batch: %+v %+v", s1, s2)
	}
	// web-2's search finds an attempt that web-1 appended.
	var fromWeb1 Event
	for _, e := range acked {
		if e.Instance == "web-1" {
			fromWeb1 = e
			break
		}
	}
	page, err := web2.Attempts(ctx, Filter{Text: fromWeb1.Reason}, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Rows) != 1 || page.Rows[0].AttemptID != fromWeb1.AttemptID {
		t.Fatalf("web-2 searching %q: %+v", fromWeb1.Reason, page.Rows)
	}
}

// TestRecoveryLeavesOtherInstancesAttemptsOpen: an instance starting
// while another serves closes its own open attempts and another's that
// is older than RecoverAge, but not one the other may be completing right
// now; that one is closed when its own instance starts again, whose
// recovery still looks at it although the first start moved the mark.
func TestRecoveryLeavesOtherInstancesAttemptsOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := dbtest.Postgres(t)
	now := t0.Add(time.Hour)
	web1, _ := openOn(t, b, Options{Instance: "web-1"})
	web2, _ := openOn(t, b, Options{Instance: "web-2"})
	request := func(l *Log, id string, at time.Time) {
		t.Helper()
		if _, err := l.Append(ctx, Event{Time: at, Kind: KindRequested, AttemptID: id, OrderID: "order-1", Action: "cancel"}); err != nil {
			t.Fatal(err)
		}
	}
	request(web1, "web1-stale", now.Add(-RecoverAge))
	request(web1, "web1-in-flight", now.Add(-time.Minute))
	request(web2, "web2-left-open", now.Add(-time.Minute))
	outcome := func(id string) Outcome {
		t.Helper()
		a, err := web1.Attempt(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return a.Outcome()
	}
	// web-2 restarts while web-1 serves.
	if n, err := web2.RecoverOpenAttempts(ctx, now); err != nil || n != 2 {
		t.Fatalf("web-2's recovery closed %d, %v; want its own and web-1's stale one", n, err)
	}
	if outcome("web1-stale") != OutcomeUnknown || outcome("web2-left-open") != OutcomeUnknown || outcome("web1-in-flight") != "" {
		t.Fatalf("after web-2's start: stale %q, web-2's %q, in flight %q", outcome("web1-stale"), outcome("web2-left-open"), outcome("web1-in-flight"))
	}
	// web-1 completes its call as usual.
	if _, err := web1.Append(ctx, Event{Time: now, Kind: KindCompleted, AttemptID: "web1-in-flight", OrderID: "order-1",
		Action: "cancel", Outcome: OutcomeSucceeded}); err != nil {
		t.Fatal(err)
	}
	request(web1, "web1-killed", now)
	// web-1 is killed and starts again: it closes its own.
	if n, err := web1.RecoverOpenAttempts(ctx, now.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("web-1's recovery closed %d, %v; want 1", n, err)
	}
	if outcome("web1-in-flight") != OutcomeSucceeded || outcome("web1-killed") != OutcomeUnknown {
		t.Fatalf("after web-1's start: in flight %q, killed %q", outcome("web1-in-flight"), outcome("web1-killed"))
	}
	if res, err := web2.Verify(ctx); err != nil || !res.OK {
		t.Fatalf("verify = %+v %v", res, err)
	}
}

// TestAnInstanceCutOffMidAppendLeavesOneChain: the server ends every
// connection of one instance (as when that instance is killed, or cut
// off) while both append. Its batches in flight fail and their appends
// return errors; the other instance goes on, and the one cut off
// reconnects. Every acknowledged event is stored as acknowledged, in one
// chain that verifies.
func TestAnInstanceCutOffMidAppendLeavesOneChain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := dbtest.Postgres(t)
	web1, _ := openOn(t, dbtest.Backend{Name: b.Name, URL: b.URL + "&application_name=web-1"}, Options{Instance: "web-1"})
	web2, _ := openOn(t, b, Options{Instance: "web-2"})
	var mu sync.Mutex
	acked := map[int64]Event{}
	failed := map[string]int{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	defer halt() // a failure below still stops the appenders
	for w := range 8 {
		l, name := web1, "web-1"
		if w%2 == 1 {
			l, name = web2, "web-2"
		}
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				e, err := l.Append(ctx, sampleEvent(w*100000+i))
				mu.Lock()
				if err != nil {
					failed[name]++
				} else {
					acked[e.Seq] = e
				}
				mu.Unlock()
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	killer := plainOn(t, b, "")
	defer killer.Close()
	countWeb1 := func() (n int) {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range acked {
			if e.Instance == "web-1" {
				n++
			}
		}
		return n
	}
	var killed int
	if err := killer.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'web-1'`).Scan(&killed); err != nil || killed == 0 {
		t.Fatalf("terminated %d of web-1's connections: %v", killed, err)
	}
	before := countWeb1()
	time.Sleep(300 * time.Millisecond)
	halt()
	if countWeb1() <= before {
		t.Fatal("web-1 appended nothing after its connections were ended: it did not reconnect")
	}
	mu.Lock()
	defer mu.Unlock()
	if failed["web-2"] != 0 {
		t.Fatalf("web-2's appends failed %d times while web-1 was cut off", failed["web-2"])
	}
	for _, e := range acked {
		got, err := web2.Event(ctx, e.Seq)
		if err != nil || got.Hash != e.Hash || got.Instance != e.Instance {
			t.Fatalf("acknowledged event %d: stored %+v, %v", e.Seq, got, err)
		}
	}
	res, err := web2.Verify(ctx)
	if err != nil || !res.OK || res.Events < int64(len(acked)) {
		t.Fatalf("verify = %+v %v; %d acknowledged", res, err, len(acked))
	}
	t.Logf("%d events acknowledged, %d of web-1's appends failed, %d stored", len(acked), failed["web-1"], res.Events)
}

// BenchmarkAppendOnEachDatabase is BenchmarkAppend on SQLite and on
// PostgreSQL, same machine, same run.
func BenchmarkAppendOnEachDatabase(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		for _, writers := range []int{1, 10, 50} {
			b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
				l, _ := openOn(b, be.Fresh(b), Options{Instance: "bench"})
				benchAppend(b, l, writers)
			})
		}
	})
}

// BenchmarkIndexBuildOnEachDatabase measures a rebuild of the search
// index from a log of 20,000 events (10,000 attempts, requested and
// completed), as after its loss: on SQLite its file removed, on
// PostgreSQL its tables emptied; then the log opens and a search waits
// for the index.
func BenchmarkIndexBuildOnEachDatabase(b *testing.B) {
	const attempts = 10000
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		ctx := context.Background()
		l, path := openOn(b, be, Options{})
		fillAttempts(b, l, attempts)
		if err := l.Close(); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			if be.URL == "" {
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if err := os.Remove(IndexPath(path) + suffix); err != nil && !os.IsNotExist(err) {
						b.Fatal(err)
					}
				}
			} else {
				d, reset := indexOn(b, be, path)
				for _, q := range reset {
					if _, err := d.Exec(q); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StartTimer()
			l, err := OpenWith(ctx, path, Options{DatabaseURL: be.URL})
			if err != nil {
				b.Fatal(err)
			}
			if err := l.SyncIndex(ctx); err != nil {
				b.Fatal(err)
			}
			if n, err := l.Count(ctx, Filter{}); err != nil || n != attempts {
				b.Fatalf("indexed %d attempts, %v", n, err)
			}
			b.StopTimer()
			if err := l.Close(); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(2*attempts*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkSearchOnEachDatabase runs the audit trail's searches (a page
// of attempts, and the count shown beside it) on a log of 10,000
// attempts on each database, same run: text alone (a whole ticket, the
// prefix of one, a word every attempt holds), a column alone, and both.
func BenchmarkSearchOnEachDatabase(b *testing.B) {
	const attempts = 10000
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(b, be, Options{})
		fillAttempts(b, l, attempts)
		if err := l.SyncIndex(ctx); err != nil {
			b.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			f    Filter
		}{
			{"ticket", Filter{Text: "ZD-1234"}},
			{"ticket prefix", Filter{Text: "ZD-12"}},
			{"common word", Filter{Text: "reason"}},
			{"staff", Filter{StaffID: 3}},
			{"staff and text", Filter{StaffID: 3, Text: "ZD-12"}},
		} {
			b.Run(tc.name, func(b *testing.B) {
				for range b.N {
					if _, err := l.Attempts(ctx, tc.f, ""); err != nil {
						b.Fatal(err)
					}
					if _, err := l.Count(ctx, tc.f); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// fillAttempts appends n succeeded captures, requested and completed,
// from 50 goroutines: a ticket ZD-i each, seven staff members, 500 orders.
func fillAttempts(b testing.TB, l *Log, n int) {
	var wg sync.WaitGroup
	for w := range 50 {
		wg.Go(func() {
			for i := w; i < n; i += 50 {
				appendAttempt(b, l, attemptSpec{id: fmt.Sprint("a", i), at: t0.Add(time.Duration(i) * time.Second),
					staff: int64(i%7 + 1), order: fmt.Sprint("order-", i%500), action: "create_capture",
					outcome: OutcomeSucceeded, ticket: fmt.Sprint("ZD-", i), body: `{"captured_amount":1000}`})
			}
		})
	}
	wg.Wait()
}
