package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

var t0 = time.Date(2026, 11, 25, 9, 30, 0, 123456789, time.UTC)

func openTest(t testing.TB) (*Log, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.db")
	l, err := OpenWith(context.Background(), path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, path
}

func sampleEvent(i int) Event {
	return Event{
		Kind: KindRequested, AttemptID: fmt.Sprintf("att-%d", i),
		Actor:   Actor{StaffID: 7, Email: "agent@example.com", Role: "agent", ClientIP: "10.0.0.1", UserAgent: "test"},
		OrderID: "order-1", Action: "create_capture", Reason: fmt.Sprintf("reason-marker-%03d", i), Ticket: "T-1",
		IdempotencyKey: fmt.Sprintf("key-%d", i),
		Request:        json.RawMessage(`{"captured_amount":1000, "description":"a <b> & c"}`),
		Before:         map[string]string{"captured_amount": "0.00 EUR", "status": "AUTHORIZED"},
		Detail:         map[string]string{"n": fmt.Sprint(i)},
		ErrorMessages:  []string{"first", "second"},
	}
}

func TestAppendStoresEventAndChainVerifies(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		prev := GenesisHash
		for i := 1; i <= 5; i++ {
			in := sampleEvent(i)
			got, err := l.Append(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Seq != int64(i) || got.PrevHash != prev || len(got.Hash) != 64 || !got.Time.Equal(t0) {
				t.Fatalf("event %d: seq=%d prev=%s hash=%s time=%v", i, got.Seq, got.PrevHash, got.Hash, got.Time)
			}
			prev = got.Hash
			stored, err := l.Event(ctx, got.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored, got) {
				t.Fatalf("stored event differs from the acknowledged one:\n%+v\n%+v", stored, got)
			}
			if string(stored.Request) != string(in.Request) {
				t.Fatalf("request bytes changed: %s", stored.Request)
			}
		}
		res, err := l.Verify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK || res.Events != 5 || res.FirstBad != 0 {
			t.Fatalf("verify = %+v", res)
		}
		n, h, err := l.Head(ctx)
		if err != nil || n != 5 || h != prev {
			t.Fatalf("head = %d %s %v", n, h, err)
		}
	})
}

// TestAppendAnswersWhatItStored: the event Append returns is the one a
// reader gets back, for events whose JSON columns are empty, hold text
// that JSON rewrites (invalid UTF-8) or carry a local, monotonic time;
// and it shares no map or slice with the caller's event.
func TestAppendAnswersWhatItStored(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		berlin := time.FixedZone("CET", 3600)
		bad := "caf\xe9 \xff"
		cases := map[string]Event{
			"bare":          {Kind: KindSignIn},
			"empty columns": {Kind: KindSignIn, Request: json.RawMessage{}, Before: map[string]string{}, ErrorMessages: []string{}},
			"local time":    {Kind: KindSignIn, Time: time.Now().In(berlin)},
			"invalid UTF-8": {Kind: KindStaff, Before: map[string]string{bad: "x"}, After: map[string]string{"name": bad},
				ErrorMessages: []string{bad}, Reason: bad},
			"NUL":  {Kind: KindNote, OrderID: "order-1", Reason: "a\x00b", Ticket: "\x00"},
			"full": sampleEvent(9),
		}
		for name, in := range cases {
			got, err := l.Append(ctx, in)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			stored, err := l.Event(ctx, got.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored, got) {
				t.Errorf("%s: Append answered\n%#v\nbut stored\n%#v", name, got, stored)
			}
			for k := range in.Before {
				in.Before[k] = "changed by the caller"
			}
			for i := range in.ErrorMessages {
				in.ErrorMessages[i] = "changed by the caller"
			}
			if len(in.Request) > 0 {
				in.Request[0] = '!'
			}
			if !reflect.DeepEqual(stored, got) {
				t.Errorf("%s: the caller's later edits reached the answer: %#v", name, got)
			}
		}
	})
}

func TestAppendRefusesIncompleteEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, _ := openOn(t, be, Options{})
		for _, e := range []Event{{}, {Kind: KindRequested}, {Kind: KindCompleted}} {
			if _, err := l.Append(context.Background(), e); err == nil {
				t.Errorf("appended %+v", e)
			}
		}
	})
}

func TestConcurrentAppendsAreGapFreeAndVerify(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		const writers, each = 50, 20
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					e, err := l.Append(ctx, sampleEvent(w*each+i))
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					seen[e.Seq] = e.AttemptID
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != writers*each {
			t.Fatalf("%d distinct seqs acknowledged, want %d", len(seen), writers*each)
		}
		for s := int64(1); s <= writers*each; s++ {
			if _, ok := seen[s]; !ok {
				t.Fatalf("seq %d missing: not gap-free", s)
			}
		}
		res, err := l.Verify(ctx)
		if err != nil || !res.OK || res.Events != writers*each {
			t.Fatalf("verify = %+v, %v", res, err)
		}
		st := l.Stats()
		if st.Events != writers*each || st.Commits < 1 || st.Commits > st.Events {
			t.Fatalf("stats = %+v", st)
		}
		t.Logf("%d events in %d commits", st.Events, st.Commits)
	})
}

func TestTriggersRefuseUpdateAndDelete(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, path := openOn(t, be, Options{})
		if _, err := l.Append(ctx, sampleEvent(1)); err != nil {
			t.Fatal(err)
		}
		plain := plainOn(t, be, path)
		defer plain.Close()
		stmts := []string{
			`UPDATE events SET reason = 'edited' WHERE seq = 1`,
			`DELETE FROM events WHERE seq = 1`,
			`DELETE FROM events`,
		}
		if be.URL != "" {
			stmts = append(stmts, `TRUNCATE events`)
		}
		for _, stmt := range stmts {
			for name, d := range map[string]*sql.DB{"writer": l.db.W, "plain": plain} {
				_, err := d.ExecContext(ctx, stmt)
				if err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %s: err = %v, want append-only refusal", name, stmt, err)
				}
			}
		}
		e, err := l.Event(ctx, 1)
		if err != nil || e.Reason != "reason-marker-001" {
			t.Fatalf("event changed: %+v %v", e, err)
		}
	})
}

// rawDB opens the audit file on a connection of its own, as another
// process would (an attacker with the file, a failing disk). Like any
// other process it waits while the log's writer holds the lock: the
// writer also writes between commits, when it indexes (index.go).
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	d, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tamper opens the file the way an attacker with file access would: plain
// sql.Open, triggers dropped.
func tamper(t *testing.T, path string, stmts ...string) {
	t.Helper()
	d := rawDB(t, path)
	defer d.Close()
	for _, s := range append([]string{`DROP TRIGGER events_no_update`, `DROP TRIGGER events_no_delete`}, stmts...) {
		if _, err := d.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func fillClosed(t *testing.T, n int) string {
	t.Helper()
	return fillClosedOn(t, dbtest.SQLite(t), n)
}

func TestVerifyFindsTamperedEvent(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		stmts    []string
		firstBad int64
		pg       []string // stmts in PostgreSQL's dialect, where they differ
	}{
		{"reason edited", []string{`UPDATE events SET reason = 'goodwill' WHERE seq = 3`}, 3, nil},
		{"request byte edited", []string{`UPDATE events SET request = CAST(replace(CAST(request AS TEXT), '1000', '9000') AS BLOB) WHERE seq = 4`}, 4,
			[]string{`UPDATE events SET request = convert_to(replace(convert_from(request, 'UTF8'), '1000', '9000'), 'UTF8') WHERE seq = 4`}},
		{"before value edited", []string{`UPDATE events SET before_json = replace(before_json, '0.00', '9.00') WHERE seq = 2`}, 2, nil},
		{"staff changed", []string{`UPDATE events SET staff_id = 8 WHERE seq = 5`}, 5, nil},
		{"time changed", []string{`UPDATE events SET time = '2026-11-24T09:30:00.123456789Z' WHERE seq = 1`}, 1, nil},
		{"row deleted", []string{`DELETE FROM events WHERE seq = 3`}, 4, nil},
		{"row re-hashed alone", []string{`UPDATE events SET reason = 'x', hash = '` + strings.Repeat("a", 64) + `' WHERE seq = 2`}, 2, nil},
		{"hash replaced", []string{`UPDATE events SET hash = '` + strings.Repeat("b", 64) + `' WHERE seq = 6`}, 6, nil},
		{"row inserted", []string{`INSERT INTO events (seq, time, kind, attempt_id, staff_id, staff_email, staff_role, client_ip, user_agent,
			order_id, action, reason, ticket, idempotency_key, request, before_json, after_json, outcome, http_status, error_code,
			error_messages, correlation_id, resource_id, duration_ms, detail_json, prev_hash, hash) SELECT 100, time, kind, attempt_id, staff_id, staff_email, staff_role, client_ip, user_agent,
			order_id, action, reason, ticket, idempotency_key, request, before_json, after_json, outcome, http_status, error_code,
			error_messages, correlation_id, resource_id, duration_ms, detail_json, prev_hash, hash FROM events WHERE seq = 6`}, 100, nil},
	}
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				be := be.Fresh(t)
				path := fillClosedOn(t, be, 6)
				stmts := tc.stmts
				if be.URL != "" && tc.pg != nil {
					stmts = tc.pg
				}
				tamperOn(t, be, path, stmts...)
				res, err := verifyOn(context.Background(), be, path)
				if err != nil {
					t.Fatal(err)
				}
				if res.OK || res.FirstBad != tc.firstBad || res.Reason == "" {
					t.Fatalf("verify = %+v, want first bad %d", res, tc.firstBad)
				}
			})
		}
	})
}

// TestVerifyFindsEditedFileBytes edits the database file itself, not
// through SQL: one byte of one event's reason.
func TestVerifyFindsEditedFileBytes(t *testing.T) {
	t.Parallel()
	path := fillClosed(t, 6)
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("WAL not checkpointed on close: the edit would miss the newest rows")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	marker := []byte("reason-marker-004")
	i := strings.Index(string(b), string(marker))
	if i < 0 || strings.Count(string(b), string(marker)) != 1 {
		t.Fatalf("marker found %d times", strings.Count(string(b), string(marker)))
	}
	b[i+len(marker)-1] = '9' // reason-marker-009: same length, still a valid row
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := VerifyFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.FirstBad != 4 {
		t.Fatalf("verify = %+v, want first bad 4", res)
	}
	untouched := fillClosed(t, 6)
	if res, err := VerifyFile(context.Background(), untouched); err != nil || !res.OK || res.Events != 6 {
		t.Fatalf("untouched file: %+v %v", res, err)
	}
}

func TestVerifyFileMissingDoesNotCreate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.db")
	if _, err := VerifyFile(context.Background(), path); err == nil {
		t.Fatal("verified a missing file")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("file created: %v", err)
	}
}

func TestFailedCommitFailsEveryWaiter(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, path := openOn(t, be, Options{})
		if _, err := l.Append(ctx, sampleEvent(1)); err != nil {
			t.Fatal(err)
		}
		// The disk "fails": every insert is refused from now on.
		d := plainOn(t, be, path)
		defer d.Close()
		fail := []string{`CREATE TRIGGER fail_insert BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END`}
		if be.URL != "" {
			fail = []string{`CREATE FUNCTION fail_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full'; END $$`,
				`CREATE TRIGGER fail_insert BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_insert()`}
		}
		for _, q := range fail {
			if _, err := d.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		failed := 0
		for i := range 20 {
			wg.Go(func() {
				if _, err := l.Append(ctx, sampleEvent(10+i)); err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if failed != 20 {
			t.Fatalf("%d of 20 appends failed, want all", failed)
		}
		n, _, err := l.Head(ctx)
		if err != nil || n != 1 {
			t.Fatalf("head = %d, %v; want 1 (nothing stored)", n, err)
		}
	})
}

func TestAppendAfterClose(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, _ := openOn(t, be, Options{})
		l.Close()
		if _, err := l.Append(context.Background(), sampleEvent(1)); !errors.Is(err, ErrClosed) {
			t.Fatalf("err = %v, want ErrClosed", err)
		}
	})
}

func TestRecoverOpenAttemptsAndOrderAttempts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		reqA, reqB := sampleEvent(1), sampleEvent(2)
		for _, e := range []Event{
			reqA,
			{Kind: KindCompleted, AttemptID: reqA.AttemptID, OrderID: "order-1", Action: reqA.Action, Outcome: OutcomeSucceeded, HTTPStatus: 201, ResourceID: "cap-1"},
			reqB,
			{Kind: KindSignIn, Actor: Actor{StaffID: 7}},
			{Kind: KindRequested, AttemptID: "other", OrderID: "order-2", Action: "cancel"},
		} {
			if _, err := l.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		later := t0.Add(time.Hour)
		n, err := l.RecoverOpenAttempts(ctx, later)
		if err != nil || n != 2 {
			t.Fatalf("recovered %d, %v; want 2", n, err)
		}
		if n, err := l.RecoverOpenAttempts(ctx, later); err != nil || n != 0 {
			t.Fatalf("second recovery closed %d, %v; want 0", n, err)
		}
		as, err := l.OrderAttempts(ctx, "order-1")
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 2 || as[0].AttemptID != reqB.AttemptID || as[1].AttemptID != reqA.AttemptID {
			t.Fatalf("attempts = %+v", as)
		}
		b := as[0]
		if b.Outcome() != OutcomeUnknown || !b.Completed.Time.Equal(later) || b.Completed.Actor.StaffID != 7 ||
			b.Completed.Detail["recovered"] != "true" || b.Requested.Reason != reqB.Reason {
			t.Fatalf("recovered attempt = %+v / %+v", b.Requested, b.Completed)
		}
		if as[1].Outcome() != OutcomeSucceeded || as[1].Completed.ResourceID != "cap-1" {
			t.Fatalf("completed attempt = %+v", as[1].Completed)
		}
		if a, err := l.Attempt(ctx, "other"); err != nil || a.Outcome() != OutcomeUnknown {
			t.Fatalf("attempt other = %+v, %v", a, err)
		}
		if _, err := l.Attempt(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing attempt: %v", err)
		}
		if res, err := l.Verify(ctx); err != nil || !res.OK || res.Events != 7 {
			t.Fatalf("verify = %+v %v", res, err)
		}
	})
}

// TestRecoveryLooksOnlyPastItsMark: a start looks at the requested events
// since the last start's recovery, not at the whole log; and at the whole
// log again when the mark names no event of this log (a restored audit.db).
func TestRecoveryLooksOnlyPastItsMark(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		request := func(i int) Event {
			e, err := l.Append(ctx, sampleEvent(i))
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		recoverWant := func(want int) {
			t.Helper()
			if n, err := l.RecoverOpenAttempts(ctx, t0); err != nil || n != want {
				t.Fatalf("recovery closed %d attempts, %v; want %d", n, err, want)
			}
		}
		outcome := func(e Event) Outcome {
			t.Helper()
			a, err := l.Attempt(ctx, e.AttemptID)
			if err != nil {
				t.Fatal(err)
			}
			return a.Outcome()
		}
		first := request(1)
		recoverWant(1)
		var mark int64
		if err := l.db.R.QueryRowContext(ctx, `SELECT seq FROM recovery_mark`).Scan(&mark); err != nil || mark != first.Seq {
			t.Fatalf("mark after the first recovery = %d, %v; want the head before it, %d", mark, err, first.Seq)
		}
		// An attempt left open below the mark: no stop leaves one (the mark
		// moves once every attempt up to it is closed); written here so that
		// the test sees which events a start reads.
		hidden := request(2)
		if _, err := l.db.W.ExecContext(ctx, `UPDATE recovery_mark SET seq = ?, hash = ?`, hidden.Seq, hidden.Hash); err != nil {
			t.Fatal(err)
		}
		later := request(3)
		recoverWant(1)
		if outcome(later) != OutcomeUnknown || outcome(hidden) != "" {
			t.Fatalf("after a recovery from the mark: attempt past it %q, below it %q; want unknown and still open", outcome(later), outcome(hidden))
		}
		if _, err := l.db.W.ExecContext(ctx, `UPDATE recovery_mark SET hash = 'of another log'`); err != nil {
			t.Fatal(err)
		}
		recoverWant(1)
		if outcome(hidden) != OutcomeUnknown {
			t.Fatalf("a mark of another log was trusted: the attempt below it is %q", outcome(hidden))
		}
		recoverWant(0)
	})
}

func TestReopenContinuesChain(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		path := fillClosedOn(t, be, 3)
		l := reopenOn(t, be, path)
		e, err := l.Append(ctx, sampleEvent(4))
		if err != nil || e.Seq != 4 {
			t.Fatalf("append after reopen: %+v %v", e, err)
		}
		if res, err := l.Verify(ctx); err != nil || !res.OK || res.Events != 4 {
			t.Fatalf("verify = %+v %v", res, err)
		}
	})
}

func TestAttemptsByKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		a, b := sampleEvent(1), sampleEvent(2)
		b.IdempotencyKey = a.IdempotencyKey // an unknown outcome retried with the same key
		b.AttemptID = "att-retry"
		for _, e := range []Event{a, {Kind: KindCompleted, AttemptID: a.AttemptID, IdempotencyKey: a.IdempotencyKey, Outcome: OutcomeUnknown},
			b, sampleEvent(3)} {
			if _, err := l.Append(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		as, err := l.AttemptsByKey(ctx, a.IdempotencyKey)
		if err != nil || len(as) != 2 || as[0].AttemptID != "att-retry" || as[0].Completed != nil || as[1].Outcome() != OutcomeUnknown {
			t.Fatalf("attempts = %+v, %v", as, err)
		}
		if as, err := l.AttemptsByKey(ctx, ""); err != nil || as != nil {
			t.Fatalf("empty key: %+v %v", as, err)
		}
	})
}
