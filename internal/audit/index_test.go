package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
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
		rows, err := l.db.R.QueryContext(ctx, q)
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
	ctx := context.Background()
	l, path := openTest(t)
	fillIndexed(t, l, 40)
	want := indexDump(t, l)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	tamper(t, path, `DELETE FROM attempts`, `DELETE FROM attempt_counts`,
		`INSERT INTO attempt_text (attempt_text) VALUES ('delete-all')`, `UPDATE index_state SET seq = 0`)

	l2, err := OpenWith(ctx, path, Options{Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if got := indexDump(t, l2); got != want {
		t.Fatalf("index after the restart:\n%s\nwant (as kept at append time):\n%s", got, want)
	}
}

// TestSearchSeesTheEventJustAppended: the index is kept after the commit,
// yet a search started after Append returned must find the event (an
// agent's change, then the audit page).
func TestSearchSeesTheEventJustAppended(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, _ := openTest(t)
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
}

// TestTwoWritersIndexEachEventOnce: the web process and an admin command
// append to one file at once; both index, and readers ask for the index
// while they do. Every attempt is indexed once.
func TestTwoWritersIndexEachEventOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, path := openTest(t)
	b, err := OpenWith(ctx, path, Options{Now: func() time.Time { return t0 }})
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
	if err := a.db.R.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT attempt_id) FROM attempts`).Scan(&rows, &distinct); err != nil {
		t.Fatal(err)
	}
	if rows != 2*each || distinct != 2*each {
		t.Fatalf("attempts rows %d (distinct %d), want %d", rows, distinct, 2*each)
	}
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
