package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
)

// attemptSpec describes one attempt for the search tests.
type attemptSpec struct {
	id      string
	at      time.Time
	staff   int64
	order   string
	action  string
	outcome Outcome // "" leaves the attempt open
	code    string
	msgs    []string
	ticket  string
	body    string
}

func appendAttempt(t testing.TB, l *Log, s attemptSpec) {
	t.Helper()
	ctx := context.Background()
	actor := Actor{StaffID: s.staff, Email: fmt.Sprintf("Staff%d@Example.com", s.staff), Role: "agent"}
	req := Event{Time: s.at, Kind: KindRequested, AttemptID: s.id, Actor: actor, OrderID: s.order, Action: s.action,
		Ticket: s.ticket, IdempotencyKey: "key-" + s.id, Reason: "reason of " + s.id,
		Before: map[string]string{"captured_amount": "0.00 EUR"}}
	if s.body != "" {
		req.Request = json.RawMessage(s.body)
	}
	if _, err := l.Append(ctx, req); err != nil {
		t.Fatal(err)
	}
	if s.outcome == "" {
		return
	}
	if _, err := l.Append(ctx, Event{Time: s.at.Add(time.Second), Kind: KindCompleted, AttemptID: s.id, Actor: actor,
		OrderID: s.order, Action: s.action, Outcome: s.outcome, HTTPStatus: 201, ErrorCode: s.code, ErrorMessages: s.msgs,
		CorrelationID: "corr-" + s.id, ResourceID: "res-" + s.id, DurationMS: 42}); err != nil {
		t.Fatal(err)
	}
}

// searchFixture is a small log with one attempt per combination that the
// filter tests tell apart.
func searchFixture(t *testing.T, be dbtest.Backend) *Log {
	t.Helper()
	l, _ := openOn(t, be, Options{})
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	specs := []attemptSpec{
		{id: "a1", at: day, staff: 1, order: "order-A", action: "create_capture", outcome: OutcomeSucceeded, ticket: "ZD-100", body: `{"captured_amount":1000,"reference":"INV-2026-77"}`},
		{id: "a2", at: day.Add(time.Hour), staff: 2, order: "order-A", action: "create_refund", outcome: OutcomeRefused, code: "REFUND_NOT_ALLOWED", msgs: []string{"Refund not allowed: order is cancelled"}, body: `{"refunded_amount":500}`},
		{id: "a3", at: day.AddDate(0, 0, 1), staff: 1, order: "order-B", action: "cancel", outcome: OutcomeUnknown},
		{id: "a4", at: day.AddDate(0, 0, 2), staff: 2, order: "order-B", action: "create_capture", outcome: OutcomeFailed},
		{id: "a5", at: day.AddDate(0, 0, 3), staff: 3, order: "order-C", action: "update_merchant_references", outcome: OutcomeSucceeded, body: `{"merchant_reference1":"ORD-2026-00123"}`},
		{id: "a6", at: day.AddDate(0, 0, 4), staff: 1, order: "order-C", action: "create_refund"},
	}
	for _, s := range specs {
		appendAttempt(t, l, s)
	}
	// Events that are not attempts never show in the trail.
	if _, err := l.Append(context.Background(), Event{Kind: KindSignIn, Actor: Actor{StaffID: 1}}); err != nil {
		t.Fatal(err)
	}
	return l
}

func ids(rows []AttemptRow) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.AttemptID)
	}
	return out
}

func TestFiltersAloneAndCombined(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l := searchFixture(t, be)
		day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
		cases := []struct {
			name string
			f    Filter
			want []string // newest first
		}{
			{"none", Filter{}, []string{"a6", "a5", "a4", "a3", "a2", "a1"}},
			{"staff id", Filter{StaffID: 1}, []string{"a6", "a3", "a1"}},
			{"staff e-mail any case", Filter{StaffEmail: "staff2@example.COM"}, []string{"a4", "a2"}},
			{"order", Filter{OrderID: "order-B"}, []string{"a4", "a3"}},
			{"action", Filter{Action: "create_refund"}, []string{"a6", "a2"}},
			{"outcome", Filter{Outcome: OutcomeUnknown}, []string{"a3"}},
			{"outcome pending", Filter{Outcome: OutcomePending}, []string{"a6"}},
			{"from", Filter{From: day.AddDate(0, 0, 3)}, []string{"a6", "a5"}},
			{"to is exclusive", Filter{To: day.Add(13 * time.Hour)}, []string{"a1"}},
			{"one day", Filter{From: day.AddDate(0, 0, 1), To: day.AddDate(0, 0, 2)}, []string{"a3"}},
			{"text error message", Filter{Text: "cancelled"}, []string{"a2"}},
			{"text error code", Filter{Text: "REFUND_NOT_ALLOWED"}, []string{"a2"}},
			{"text merchant reference", Filter{Text: "ORD-2026-00123"}, []string{"a5"}},
			{"text capture reference", Filter{Text: "inv-2026-77"}, []string{"a1"}},
			{"text ticket", Filter{Text: "ZD-100"}, []string{"a1"}},
			{"text idempotency key", Filter{Text: "key-a4"}, []string{"a4"}},
			{"text correlation id", Filter{Text: "corr-a3"}, []string{"a3"}},
			{"text prefix", Filter{Text: "cancel"}, []string{"a2"}},
			{"text all words", Filter{Text: "refund cancelled"}, []string{"a2"}},
			{"text no match", Filter{Text: "nothing-like-this"}, nil},
			{"text only punctuation is no filter", Filter{Text: `" * -`}, []string{"a6", "a5", "a4", "a3", "a2", "a1"}},
			{"text operators are words", Filter{Text: "NOT OR AND"}, nil},
			{"staff and action", Filter{StaffID: 1, Action: "create_capture"}, []string{"a1"}},
			{"order and outcome", Filter{OrderID: "order-A", Outcome: OutcomeRefused}, []string{"a2"}},
			{"staff, range and text", Filter{StaffID: 2, From: day, To: day.AddDate(0, 0, 1), Text: "cancelled"}, []string{"a2"}},
			{"combination without match", Filter{StaffID: 3, Outcome: OutcomeRefused}, nil},
			{"text and e-mail", Filter{Text: "reason", StaffEmail: "STAFF2@example.com"}, []string{"a4", "a2"}},
			{"text and order", Filter{Text: "reason", OrderID: "order-C"}, []string{"a6", "a5"}},
			{"text and action", Filter{Text: "reason", Action: "create_capture"}, []string{"a4", "a1"}},
			{"text and outcome", Filter{Text: "reason", Outcome: OutcomeUnknown}, []string{"a3"}},
			{"text and pending", Filter{Text: "reason", Outcome: OutcomePending}, []string{"a6"}},
			{"text, outcome after completion", Filter{Text: "cancelled", Outcome: OutcomeSucceeded}, nil},
			{"text and every column", Filter{Text: "ZD-100", StaffID: 1, StaffEmail: "staff1@example.com", OrderID: "order-A", Action: "create_capture", Outcome: OutcomeSucceeded}, []string{"a1"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				p, err := l.Attempts(ctx, tc.f, "")
				if err != nil {
					t.Fatal(err)
				}
				if got := ids(p.Rows); !slices.Equal(got, tc.want) {
					t.Fatalf("attempts = %v, want %v", got, tc.want)
				}
				n, err := l.Count(ctx, tc.f)
				if err != nil || n != int64(len(tc.want)) {
					t.Fatalf("count = %d, %v; want %d", n, err, len(tc.want))
				}
				if p.Next != "" {
					t.Fatalf("next cursor on a single page: %q", p.Next)
				}
			})
		}
	})
}

func TestAttemptRowJoinsBothEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l := searchFixture(t, be)
		r, err := l.AttemptRowByID(context.Background(), "a2")
		if err != nil {
			t.Fatal(err)
		}
		if r.StaffEmail != "Staff2@Example.com" || r.OrderID != "order-A" || r.Action != "create_refund" || !r.Money ||
			r.Amount != 500 || r.Outcome != OutcomeRefused || r.HTTPStatus != 201 || r.ErrorCode != "REFUND_NOT_ALLOWED" ||
			r.CorrelationID != "corr-a2" || r.DurationMS != 42 || r.CompletedSeq != r.Seq+1 {
			t.Fatalf("row = %+v", r)
		}
		open, err := l.AttemptRowByID(context.Background(), "a6")
		if err != nil || open.Outcome != "" || open.CompletedSeq != 0 {
			t.Fatalf("open attempt = %+v, %v", open, err)
		}
		if _, err := l.AttemptRowByID(context.Background(), "none"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing attempt: %v", err)
		}
	})
}

func TestPaginationAcrossPages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		const n = 2*PageSize + 7
		for i := range n {
			staff := int64(1 + i%2)
			// Several attempts share a millisecond: seq orders them.
			at := base.Add(time.Duration(i/3) * time.Minute)
			appendAttempt(t, l, attemptSpec{id: fmt.Sprintf("p%03d", i), at: at, staff: staff, order: "o", action: "cancel", outcome: OutcomeSucceeded})
		}
		// Appends after the first page was read must not shift later pages.
		var seen []string
		var cursor Cursor
		pages := 0
		for {
			p, err := l.Attempts(ctx, Filter{}, cursor)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if pages == 1 {
				appendAttempt(t, l, attemptSpec{id: "late", at: base.AddDate(1, 0, 0), staff: 1, order: "o", action: "cancel", outcome: OutcomeSucceeded})
			}
			seen = append(seen, ids(p.Rows)...)
			if p.Next == "" {
				break
			}
			if len(p.Rows) != PageSize {
				t.Fatalf("page %d has %d rows", pages, len(p.Rows))
			}
			cursor = p.Next
		}
		if pages != 3 || len(seen) != n {
			t.Fatalf("%d pages, %d rows; want 3 pages, %d rows", pages, len(seen), n)
		}
		for i, id := range seen {
			if want := fmt.Sprintf("p%03d", n-1-i); id != want {
				t.Fatalf("row %d = %s, want %s (newest first, no repeats or gaps)", i, id, want)
			}
		}
		// A filtered walk sees exactly the filtered rows.
		var staff2 []string
		cursor = ""
		for {
			p, err := l.Attempts(ctx, Filter{StaffID: 2}, cursor)
			if err != nil {
				t.Fatal(err)
			}
			staff2 = append(staff2, ids(p.Rows)...)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if c, _ := l.Count(ctx, Filter{StaffID: 2}); int64(len(staff2)) != c || c != n/2 {
			t.Fatalf("staff 2: walked %d, count %d, want %d", len(staff2), c, n/2)
		}
		// The same walk through the full-text path (text and a column).
		var viaText []string
		cursor = ""
		for {
			p, err := l.Attempts(ctx, Filter{StaffID: 2, Text: "reason"}, cursor)
			if err != nil {
				t.Fatal(err)
			}
			viaText = append(viaText, ids(p.Rows)...)
			if cursor = p.Next; cursor == "" {
				break
			}
		}
		if !slices.Equal(viaText, staff2) {
			t.Fatalf("text walk differs: %d vs %d rows", len(viaText), len(staff2))
		}
		if c, _ := l.Count(ctx, Filter{StaffID: 2, Text: "reason"}); c != int64(len(staff2)) {
			t.Fatalf("text count %d", c)
		}
		if _, err := l.Attempts(ctx, Filter{}, "not a cursor!"); !errors.Is(err, ErrBadFilter) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestFilterValidate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, f := range []Filter{{Outcome: "great"}, {From: now, To: now}, {From: now, To: now.Add(-time.Hour)}} {
		if err := f.Validate(); !errors.Is(err, ErrBadFilter) {
			t.Errorf("%+v: %v", f, err)
		}
	}
	if err := (Filter{Outcome: OutcomePending, From: now, To: now.Add(time.Hour)}).Validate(); err != nil {
		t.Error(err)
	}
}

// TestTkeyMatchesSQL: the key the triggers compute in SQL must equal the
// one Go uses for date bounds, or a date filter would be off.
func TestTkeyMatchesSQL(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, _ := openOn(t, be, Options{})
		for i, at := range []time.Time{
			time.Date(2026, 11, 25, 9, 30, 0, 123456789, time.UTC),
			time.Date(2026, 11, 25, 9, 30, 0, 999999999, time.UTC),
			time.Date(2030, 1, 1, 0, 0, 0, 1000000, time.FixedZone("x", 3600)),
			time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		} {
			appendAttempt(t, l, attemptSpec{id: fmt.Sprint("t", i), at: at, order: "o", action: "cancel"})
			if err := l.SyncIndex(context.Background()); err != nil { // the query below reads the index directly
				t.Fatal(err)
			}
			var k, seq int64
			if err := l.idx.R.QueryRow(`SELECT tkey, seq FROM attempts WHERE attempt_id = ?`, fmt.Sprint("t", i)).Scan(&k, &seq); err != nil {
				t.Fatal(err)
			}
			if want := tkeyOf(at, seq); k != want {
				t.Errorf("%v: SQL tkey %d, Go %d", at, k, want)
			}
		}
	})
}

// TestIndexBackfilledOnUpgrade: events stored before the search index
// existed are indexed by the migration that adds it.
func TestIndexBackfilledOnUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "audit.db")
	d, err := db.Open(ctx, path, db.SyncFull)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Migrate(ctx, "audit", migrations[:2]); err != nil {
		t.Fatal(err)
	}
	prev := GenesisHash
	at := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	for i, e := range []Event{
		{Time: at, Kind: KindRequested, AttemptID: "old", OrderID: "o1", Action: "create_refund", Request: json.RawMessage(`{"refunded_amount":700}`), Ticket: "T-9"},
		{Time: at, Kind: KindCompleted, AttemptID: "old", OrderID: "o1", Action: "create_refund", Outcome: OutcomeRefused, ErrorMessages: []string{"too late"}},
		{Time: at, Kind: KindRequested, AttemptID: "open", OrderID: "o2", Action: "cancel"},
	} {
		r, err := encodeRow(e)
		if err != nil {
			t.Fatal(err)
		}
		r.Seq, r.PrevHash = int64(i+1), prev
		r.Hash = r.computeHash()
		prev = r.Hash
		// The events table as migration 2 left it: no instance column.
		cols := strings.TrimSuffix(selectColumns, ", instance")
		args := r.args()[:len(r.args())-1]
		if _, err := d.W.Exec(`INSERT INTO events (`+cols+`) VALUES (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)`, args...); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	l, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	p, err := l.Attempts(ctx, Filter{Text: "too late"}, "")
	if err != nil || len(p.Rows) != 1 || p.Rows[0].AttemptID != "old" || p.Rows[0].Outcome != OutcomeRefused || p.Rows[0].Amount != 700 {
		t.Fatalf("backfilled = %+v, %v", p.Rows, err)
	}
	if n, _ := l.Count(ctx, Filter{Text: "T-9"}); n != 1 {
		t.Fatalf("ticket of a backfilled attempt: %d matches", n)
	}
	if n, _ := l.Count(ctx, Filter{Outcome: OutcomePending}); n != 1 {
		t.Fatalf("open backfilled attempts: %d", n)
	}
	if res, err := l.Verify(ctx); err != nil || !res.OK {
		t.Fatalf("verify = %+v, %v", res, err)
	}
}

func TestOtherEventsExcludeAttempts(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l := searchFixture(t, be) // six attempts and one sign-in
		for i := range PageSize + 2 {
			if _, err := l.Append(ctx, Event{Kind: KindStaff, Actor: Actor{StaffID: 1}, Detail: map[string]string{"n": fmt.Sprint(i)}}); err != nil {
				t.Fatal(err)
			}
		}
		p, err := l.OtherEvents(ctx, "", "")
		if err != nil || len(p.Events) != PageSize || p.Next == "" {
			t.Fatalf("page 1: %d events, next %q, %v", len(p.Events), p.Next, err)
		}
		if p.Events[0].Detail["n"] != fmt.Sprint(PageSize+1) {
			t.Fatalf("not newest first: %+v", p.Events[0])
		}
		p2, err := l.OtherEvents(ctx, "", p.Next)
		if err != nil || len(p2.Events) != 3 || p2.Next != "" || p2.Events[2].Kind != KindSignIn {
			t.Fatalf("page 2: %+v, %v", p2, err)
		}
		only, err := l.OtherEvents(ctx, KindSignIn, "")
		if err != nil || len(only.Events) != 1 {
			t.Fatalf("sign-ins: %+v %v", only, err)
		}
	})
}

// TestKeptCountsMatchTheRows: the per action and outcome counts the
// triggers keep agree with the attempts themselves, through open,
// completed, doubled completions and a backfilled upgrade.
func TestKeptCountsMatchTheRows(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l := searchFixture(t, be)
		// A completion written twice (an outcome corrected later) moves the
		// count, it does not add one.
		if _, err := l.Append(ctx, Event{Kind: KindCompleted, AttemptID: "a3", OrderID: "order-B", Action: "cancel", Outcome: OutcomeSucceeded}); err != nil {
			t.Fatal(err)
		}
		day := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC) // the fixture's first day
		ranges := [][2]time.Time{
			{},
			{day, day.AddDate(0, 0, 2)}, // whole days
			{day.Add(13 * time.Hour), day.AddDate(0, 0, 3).Add(12 * time.Hour)}, // partial days at both ends
			{day.Add(11 * time.Hour), day.Add(14 * time.Hour)},                  // within one day
			{day.AddDate(0, 0, 2), time.Time{}},                                 // open end
			{time.Time{}, day.AddDate(0, 0, 1).Add(time.Hour)},                  // open start
		}
		for _, rg := range ranges {
			for _, a := range []string{"", "create_capture", "create_refund", "cancel", "update_merchant_references", "none"} {
				for _, o := range append([]Outcome{""}, Outcomes...) {
					f := Filter{Action: a, Outcome: o, From: rg[0], To: rg[1]}
					got, err := l.Count(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					c := f.columnCond()
					var want int64
					if err := l.idx.R.QueryRow(l.isql(`SELECT count(*) FROM attempts a WHERE `+c.String()), c.args...).Scan(&want); err != nil {
						t.Fatal(err)
					}
					if got != want {
						t.Errorf("action %q outcome %q range %v: kept count %d, rows %d", a, o, rg, got, want)
					}
				}
			}
		}
		if n, _ := l.Count(ctx, Filter{Outcome: OutcomeUnknown}); n != 0 {
			t.Errorf("a3 still counted as unknown: %d", n)
		}
	})
}
