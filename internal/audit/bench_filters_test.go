package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchEvents is the size of the log BenchmarkFilters searches.
const benchEvents = 1_000_000

// benchGenVersion changes whenever the generator below or the shape of
// the search index (migration 3) changes, so that a cached file from an
// older generator is not reused.
const benchGenVersion = "v2"

var benchStart = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)

// benchActions is the mix of order changes in the generated log.
var benchActions = []struct {
	action string
	weight int
}{
	{"create_capture", 30}, {"create_refund", 15}, {"update_authorization", 10}, {"cancel", 5},
	{"release_remaining_authorization", 5}, {"update_customer_details", 10}, {"update_merchant_references", 10},
	{"add_order_shipping_info", 5}, {"extend_authorization_time", 5}, {"acknowledge", 5},
}

// benchDB returns a closed audit database of benchEvents generated events,
// built once and cached in the temp folder, because filling it takes
// minutes. The file name carries the generator version; migrations added
// later are applied to the cached file when the benchmark opens it.
func benchDB(b *testing.B) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("ordercare-audit-bench-%d-%s.db", benchEvents, benchGenVersion))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	tmp := filepath.Join(b.TempDir(), "audit.db")
	start := time.Now()
	if err := generate(context.Background(), tmp, benchEvents); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d events in %v", benchEvents, time.Since(start).Round(time.Second))
	// The search index (its own file, built when generate closed the log)
	// is kept beside the log, as the product keeps it.
	for _, f := range []string{tmp, IndexPath(tmp)} {
		for _, suffix := range []string{"-wal", "-shm"} {
			os.Remove(f + suffix)
		}
	}
	if err := os.Rename(IndexPath(tmp), IndexPath(path)); err != nil {
		b.Fatalf("keeping the generated index: %v", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatalf("keeping the generated file: %v", err)
	}
	return path
}

// generate fills a new audit database with n events through direct
// batched INSERTs in one transaction, chaining the hashes as the writer
// does, so Verify passes; the writer indexes them, as in production,
// when the log is closed.
func generate(ctx context.Context, path string, n int) error {
	l, err := Open(ctx, path)
	if err != nil {
		return err
	}
	defer l.Close()
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	stmt, err := tx.PrepareContext(ctx, insertSQL)
	if err != nil {
		return err
	}
	defer stmt.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	prev := GenesisHash
	seq := int64(0)
	step := 365 * 24 * time.Hour / time.Duration(n)
	put := func(e Event) error {
		seq++
		if e.Time.IsZero() {
			e.Time = benchStart.Add(time.Duration(seq) * step)
		}
		r, err := encodeRow(e)
		if err != nil {
			return err
		}
		r.Seq, r.PrevHash = seq, prev
		r.Hash = r.computeHash()
		prev = r.Hash
		_, err = stmt.ExecContext(ctx, r.args()...)
		return err
	}
	total := 0
	for _, a := range benchActions {
		total += a.weight
	}
	for int(seq) < n {
		staffID := int64(rng.IntN(60) + 1)
		actor := Actor{StaffID: staffID, Email: fmt.Sprintf("staff-%02d@example.com", staffID), Role: "agent",
			ClientIP: "10.1.2.3", UserAgent: "Mozilla/5.0"}
		if rng.IntN(100) < 6 || int(seq) >= n-1 {
			kind := KindSignIn
			if rng.IntN(2) == 0 {
				kind = KindSignOut
			}
			if err := put(Event{Kind: kind, Actor: actor}); err != nil {
				return err
			}
			continue
		}
		pick := rng.IntN(total)
		action := benchActions[0].action
		for _, a := range benchActions {
			if pick < a.weight {
				action = a.action
				break
			}
			pick -= a.weight
		}
		orderID := fmt.Sprintf("6f1c2a3b-0000-4000-8000-%012d", rng.IntN(100_000))
		attempt := fmt.Sprintf("att-%d", seq)
		var body []byte
		switch action {
		case "create_capture":
			body, _ = json.Marshal(map[string]any{"captured_amount": 1000 + rng.IntN(50000), "reference": fmt.Sprintf("INV-%d", seq)})
		case "create_refund":
			body, _ = json.Marshal(map[string]any{"refunded_amount": 500 + rng.IntN(20000), "reference": fmt.Sprintf("CN-%d", seq)})
		case "update_authorization":
			body, _ = json.Marshal(map[string]any{"order_amount": 1000 + rng.IntN(50000)})
		case "update_merchant_references":
			body, _ = json.Marshal(map[string]any{"merchant_reference1": fmt.Sprintf("ORD-2026-%06d", rng.IntN(1_000_000))})
		}
		req := Event{Kind: KindRequested, AttemptID: attempt, Actor: actor, OrderID: orderID, Action: action,
			Reason: "customer asked by phone", Ticket: fmt.Sprintf("ZD-%d", 100000+seq),
			IdempotencyKey: fmt.Sprintf("idem-%016x", rng.Uint64()), Request: body,
			Before: map[string]string{"status": "AUTHORIZED"}, Detail: map[string]string{"provider": "kustom"}}
		if err := put(req); err != nil {
			return err
		}
		c := Event{Kind: KindCompleted, AttemptID: attempt, Actor: actor, OrderID: orderID, Action: action,
			IdempotencyKey: req.IdempotencyKey, DurationMS: int64(80 + rng.IntN(900)),
			CorrelationID: fmt.Sprintf("corr-%016x", rng.Uint64()), Detail: map[string]string{"provider": "kustom"}}
		switch o := rng.IntN(100); {
		case o < 88:
			c.Outcome, c.HTTPStatus = OutcomeSucceeded, 201
		case o < 96:
			c.Outcome, c.HTTPStatus, c.ErrorCode = OutcomeRefused, 403, "NOT_ALLOWED"
			c.ErrorMessages = []string{"Capture not allowed because the order is cancelled"}
		case o < 98:
			c.Outcome = OutcomeFailed
			c.Detail["error"] = "dial tcp: connection refused"
		default:
			c.Outcome = OutcomeUnknown
			c.Detail["error"] = "timeout awaiting response headers"
		}
		if err := put(c); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BenchmarkFilters times each audit-trail filter (one page and the count
// of matches) over a log of 1,000,000 events. The target is < 50 ms each.
//
//	go test -run '^$' -bench BenchmarkFilters -benchtime 20x ./internal/audit
func BenchmarkFilters(b *testing.B) {
	if testing.Short() {
		b.Skip("fills 1,000,000 events")
	}
	path := benchDB(b)
	ctx := context.Background()
	l, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	// What every reader of the index does first; it also builds the index
	// of a cached log whose index file is missing (the generator of an
	// earlier version kept none).
	start := time.Now()
	if err := l.SyncIndex(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("index in step with the log after %v", time.Since(start).Round(time.Millisecond))
	month := benchStart.AddDate(0, 6, 0)
	s := sampleAttempt(b, l)
	// A deep cursor: 100 pages in.
	var deep Cursor
	for range 100 {
		p, err := l.Attempts(ctx, Filter{}, deep)
		if err != nil {
			b.Fatal(err)
		}
		deep = p.Next
	}
	filters := []struct {
		name   string
		f      Filter
		cursor Cursor
	}{
		{"none", Filter{}, ""},
		{"none/page100", Filter{}, deep},
		{"staff_id", Filter{StaffID: 17}, ""},
		{"staff_email", Filter{StaffEmail: "STAFF-17@example.com"}, ""},
		{"order_id", Filter{OrderID: s.Requested.OrderID}, ""},
		{"action=refund", Filter{Action: "create_refund"}, ""},
		{"outcome=unknown", Filter{Outcome: OutcomeUnknown}, ""},
		{"outcome=succeeded", Filter{Outcome: OutcomeSucceeded}, ""},
		{"range=1day", Filter{From: month, To: month.AddDate(0, 0, 1)}, ""},
		{"range=1month", Filter{From: month, To: month.AddDate(0, 1, 0)}, ""},
		{"range=1year", Filter{From: benchStart.Add(7 * time.Hour), To: benchStart.AddDate(1, 0, 0).Add(-5 * time.Hour)}, ""},
		{"range=1year+action", Filter{Action: "create_capture", From: benchStart.Add(7 * time.Hour), To: benchStart.AddDate(1, 0, 0).Add(-5 * time.Hour)}, ""},
		{"range=1month+staff", Filter{StaffID: 17, From: month, To: month.AddDate(0, 1, 0)}, ""},
		{"text=ticket", Filter{Text: s.Requested.Ticket}, ""},
		{"text=idempotency_key", Filter{Text: s.Requested.IdempotencyKey}, ""},
		{"text=not_allowed", Filter{Text: "not allowed"}, ""},
		{"staff+outcome=refused", Filter{StaffID: 17, Outcome: OutcomeRefused}, ""},
		{"action+outcome+month", Filter{Action: "create_refund", Outcome: OutcomeSucceeded, From: month, To: month.AddDate(0, 1, 0)}, ""},
		{"text+staff", Filter{Text: "connection refused", StaffID: 17}, ""},
		{"text=not_allowed+action", Filter{Text: "not allowed", Action: "create_refund"}, ""},
		{"text+month", Filter{Text: "not allowed", From: month, To: month.AddDate(0, 1, 0)}, ""},
		{"all_fields", Filter{StaffID: s.Requested.Actor.StaffID, OrderID: s.Requested.OrderID, Action: "create_capture",
			Outcome: s.Completed.Outcome, From: benchStart, To: benchStart.AddDate(2, 0, 0), Text: s.Requested.Ticket}, ""},
	}
	for _, tc := range filters {
		n, err := l.Count(ctx, tc.f)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(tc.name+"/page", func(b *testing.B) {
			for b.Loop() {
				p, err := l.Attempts(ctx, tc.f, tc.cursor)
				if err != nil {
					b.Fatal(err)
				}
				if n > 0 && len(p.Rows) == 0 {
					b.Fatalf("%s: %d matches but an empty page", tc.name, n)
				}
			}
			b.ReportMetric(float64(n), "matches")
		})
		b.Run(tc.name+"/count", func(b *testing.B) {
			for b.Loop() {
				if _, err := l.Count(ctx, tc.f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "matches")
		})
	}
}

// BenchmarkRecoverOpenAttempts times what every start does before it
// serves, over a copy of the log of 1,000,000 events: with no recovery
// mark (the first start of this version, or after a restore) it looks at
// every requested event; after a start, only at the events since.
//
//	go test -run '^$' -bench BenchmarkRecoverOpenAttempts -benchtime 3x ./internal/audit
func BenchmarkRecoverOpenAttempts(b *testing.B) {
	if testing.Short() {
		b.Skip("fills 1,000,000 events")
	}
	path := filepath.Join(b.TempDir(), "audit.db")
	copyFile(b, benchDB(b), path)
	ctx := context.Background()
	l, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	for _, bc := range []struct {
		name   string
		unmark bool
	}{{"no_mark", true}, {"after_a_start", false}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if bc.unmark {
					b.StopTimer()
					if _, err := l.db.W.ExecContext(ctx, `DELETE FROM recovery_mark`); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if _, err := l.RecoverOpenAttempts(ctx, benchStart); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLookups times the log's lookups by order, attempt and
// idempotency key over the log of 1,000,000 events: the order page reads
// the order's attempts and approvals, every order change looks up its
// form's key first. They must not grow with the log.
//
//	go test -run '^$' -bench BenchmarkLookups -benchtime 20x ./internal/audit
func BenchmarkLookups(b *testing.B) {
	if testing.Short() {
		b.Skip("fills 1,000,000 events")
	}
	ctx := context.Background()
	l, err := Open(ctx, benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if err := l.SyncIndex(ctx); err != nil {
		b.Fatal(err)
	}
	s := sampleAttempt(b, l)
	for _, lc := range []struct {
		name string
		run  func() (int, error)
	}{
		{"order_attempts", func() (int, error) { as, err := l.OrderAttempts(ctx, s.Requested.OrderID); return len(as), err }},
		{"order_approvals", func() (int, error) { _, err := l.ApprovalEvents(ctx, s.Requested.OrderID); return 1, err }},
		{"attempt", func() (int, error) { _, err := l.Attempt(ctx, s.AttemptID); return 1, err }},
		{"attempt_reviews", func() (int, error) { _, err := l.Reviews(ctx, s.AttemptID); return 1, err }},
		{"idempotency_key", func() (int, error) {
			as, err := l.AttemptsByKey(ctx, s.Requested.IdempotencyKey)
			return len(as), err
		}},
	} {
		b.Run(lc.name, func(b *testing.B) {
			for b.Loop() {
				if n, err := lc.run(); err != nil || n == 0 {
					b.Fatalf("%d found, %v", n, err)
				}
			}
		})
	}
}

// sampleAttempt is a capture of the benchmark log: an order id, a ticket
// and an idempotency key that exist.
func sampleAttempt(b *testing.B, l *Log) Attempt {
	b.Helper()
	page, err := l.attemptPage(context.Background(), Filter{Action: "create_capture"}, "", 1)
	if err != nil || len(page.Rows) == 0 {
		b.Fatalf("sample: %v", err)
	}
	s, err := l.Attempt(context.Background(), page.Rows[0].AttemptID)
	if err != nil {
		b.Fatal(err)
	}
	return s
}
