package audit

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// PageSize is how many attempts one page of the audit trail holds.
const PageSize = 50

// OutcomePending is a Filter value only: attempts with no outcome yet (the
// completed event is not written, e.g. the call is still running).
const OutcomePending Outcome = "pending"

// Outcomes lists the outcome filter values in the order a form shows them.
var Outcomes = []Outcome{OutcomeSucceeded, OutcomeRefused, OutcomeFailed, OutcomeUnknown, OutcomePending}

// ErrBadFilter is returned for a filter or cursor that cannot be used.
var ErrBadFilter = errors.New("audit: bad filter")

// Filter selects attempts of the audit trail; zero fields match everything
// and the fields combine with AND.
type Filter struct {
	StaffID    int64
	StaffEmail string // any case
	OrderID    string
	Action     string
	Outcome    Outcome // a stored outcome or OutcomePending
	// From (inclusive) and To (exclusive) bound the requested time; zero
	// leaves that side open.
	From, To time.Time
	// Text is words that must all appear in the attempt's references or
	// errors: reason, ticket, idempotency key, attempt id, the request's
	// reference, description and merchant references, the provider's error
	// code and messages, correlation id and capture/refund id. Each word
	// also matches as a prefix ("refus" finds "refused").
	Text string
}

// IsZero reports whether the filter matches every attempt.
func (f Filter) IsZero() bool { return f == Filter{} }

// Validate checks the values a user can get wrong.
func (f Filter) Validate() error {
	if f.Outcome != "" {
		ok := false
		for _, o := range Outcomes {
			ok = ok || f.Outcome == o
		}
		if !ok {
			return fmt.Errorf("%w: unknown outcome %q", ErrBadFilter, f.Outcome)
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return fmt.Errorf("%w: the date range ends before it starts", ErrBadFilter)
	}
	return nil
}

// Detail returns the filter's non-empty fields, for the event that records
// an export.
func (f Filter) Detail() map[string]string {
	m := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			m["filter."+k] = v
		}
	}
	if f.StaffID != 0 {
		set("staff_id", strconv.FormatInt(f.StaffID, 10))
	}
	set("staff_email", f.StaffEmail)
	set("order_id", f.OrderID)
	set("action", f.Action)
	set("outcome", string(f.Outcome))
	if !f.From.IsZero() {
		set("from", f.From.UTC().Format(time.RFC3339Nano))
	}
	if !f.To.IsZero() {
		set("to", f.To.UTC().Format(time.RFC3339Nano))
	}
	set("text", f.Text)
	return m
}

// cond is a SQL condition over `attempts a` and its arguments.
type cond struct {
	sql  []string
	args []any
}

func (c *cond) add(sql string, args ...any) {
	c.sql = append(c.sql, sql)
	c.args = append(c.args, args...)
}

func (c *cond) String() string {
	if len(c.sql) == 0 {
		return "true"
	}
	return strings.Join(c.sql, " AND ")
}

// columnCond returns the condition of f's column and date filters. SQLite
// has no statistics about the attempts table, so the choice of index is
// made here: the most selective column set drives (order, staff, action,
// outcome, in that order; each index holds tkey next, so its rows come in
// display order and a date range is a range within it), and every other
// column is written with a unary + so that SQLite checks it instead of
// picking its index. The staff and action indexes carry outcome and action
// too, so those checks need no table lookup.
func (f Filter) columnCond() *cond {
	c := &cond{}
	driving := true
	col := func(sql string, v any) {
		if driving {
			c.add(sql, v)
			driving = false
			return
		}
		c.add("+"+sql, v)
	}
	if f.OrderID != "" {
		col("a.order_id = ?", strings.TrimSpace(f.OrderID))
	}
	if f.StaffID != 0 {
		col("a.staff_id = ?", f.StaffID)
	}
	if f.StaffEmail != "" {
		col("a.staff_email = ? COLLATE NOCASE", strings.TrimSpace(f.StaffEmail))
	}
	if f.Action != "" {
		col("a.action = ?", f.Action)
	}
	switch f.Outcome {
	case "":
	case OutcomePending:
		col("a.outcome = ?", "")
	default:
		col("a.outcome = ?", string(f.Outcome))
	}
	// A date range is a range of tkeys, to the millisecond.
	if !f.From.IsZero() {
		c.add("a.tkey >= ?", tkeyOf(f.From, 0))
	}
	if !f.To.IsZero() {
		c.add("a.tkey < ?", tkeyOf(f.To, 0))
	}
	return c
}

// textCond is the full-text condition over attempt_text (whose rowid is
// the tkey) for the text and the dates of f, and an upper bound below
// which rows are wanted (0: none).
func (f Filter) textCond(q string, below int64) *cond {
	c := &cond{}
	c.add("attempt_text MATCH ?", q)
	if !f.From.IsZero() {
		c.add("rowid >= ?", tkeyOf(f.From, 0))
	}
	if !f.To.IsZero() {
		c.add("rowid < ?", tkeyOf(f.To, 0))
	}
	if below > 0 {
		c.add("rowid < ?", below)
	}
	return c
}

// columnTokens are f's column filters as the tokens the full-text rows
// carry (migration5): "xs" + staff id, "xe" + hex of the lower-cased
// e-mail, "xo" + hex of the order id, "xa" + hex of the action, "xr" + hex
// of the outcome ("xr" alone for an open attempt).
func (f Filter) columnTokens() []string {
	var t []string
	if f.StaffID != 0 {
		t = append(t, "xs"+strconv.FormatInt(f.StaffID, 10))
	}
	if e := strings.TrimSpace(f.StaffEmail); e != "" {
		t = append(t, "xe"+hex.EncodeToString([]byte(strings.ToLower(e))))
	}
	if o := strings.TrimSpace(f.OrderID); o != "" {
		t = append(t, "xo"+hex.EncodeToString([]byte(o)))
	}
	if f.Action != "" {
		t = append(t, "xa"+hex.EncodeToString([]byte(f.Action)))
	}
	switch f.Outcome {
	case "":
	case OutcomePending:
		t = append(t, "xr")
	default:
		t = append(t, "xr"+hex.EncodeToString([]byte(f.Outcome)))
	}
	return t
}

// textQuery is the full-text query of a filter with text: the typed
// words and the column tokens, all required. A text search with other
// filters is thus one intersection inside the full-text index, whatever
// the filters, instead of a lookup per match or a probe per row.
func (f Filter) textQuery() string {
	q := matchQuery(f.Text)
	if q == "" {
		return ""
	}
	return strings.Join(append([]string{q}, f.columnTokens()...), " ")
}

// textMatches counts the attempts matching q within f's dates.
func (l *Log) textMatches(ctx context.Context, f Filter, q string) (int64, error) {
	tc := f.textCond(l.textArg(q), 0)
	var n int64
	if err := l.idx.R.QueryRowContext(ctx, l.isql(`SELECT count(*) FROM attempt_text WHERE `+tc.String()), tc.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: text search: %w", err)
	}
	return n, nil
}

// matchQuery turns typed words into an FTS5 query: every word must match,
// each as a quoted phrase (so "ORD-2026-001" keeps its parts in order and
// no word is read as an operator); the last word also matches as a prefix
// ("ZD-10" finds ZD-1003, "refus" finds refused), as in a search box that
// answers while one types. Words without a letter or digit are dropped;
// "" means no text condition.
func matchQuery(text string) string {
	var terms []string
	for _, w := range strings.Fields(text) {
		w = strings.ReplaceAll(w, `"`, "")
		if !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue
		}
		terms = append(terms, `"`+w+`"`)
	}
	if len(terms) == 0 {
		return ""
	}
	terms[len(terms)-1] += "*"
	return strings.Join(terms, " ")
}

// tkeyOf is the attempts table's key for a requested event (see
// migration3): milliseconds since 1970 shifted left 20 bits, or'ed with the
// low 20 bits of seq. With seq 0 it is the lowest key of that millisecond,
// a bound for date ranges. Times before 1970 give 0.
func tkeyOf(t time.Time, seq int64) int64 {
	ms := t.UnixMilli()
	if ms < 0 {
		return 0
	}
	return ms<<20 | seq&(1<<20-1)
}

// Cursor marks where the next page of attempts starts; "" is the first
// page. It is opaque to callers and safe in a URL.
type Cursor string

func cursorOf(tkey int64) Cursor { return Cursor(strconv.FormatInt(tkey, 36)) }

// parse returns the tkey of the previous page's last row.
func (c Cursor) parse() (int64, error) {
	k, err := strconv.ParseInt(string(c), 36, 64)
	if err != nil || k <= 0 {
		return 0, fmt.Errorf("%w: cursor %q", ErrBadFilter, string(c))
	}
	return k, nil
}

// AttemptRow is one line of the audit trail: an attempt as the search index
// holds it. The full events are read with Log.Attempt.
type AttemptRow struct {
	// Seq is the requested event's seq, CompletedSeq the completed event's
	// (0 while open).
	Seq, CompletedSeq int64
	AttemptID         string
	Time              time.Time
	StaffID           int64
	StaffEmail        string
	OrderID, Action   string
	// Money is true for captures, refunds, authorization updates, cancels
	// and releases; Amount is the amount the request named (minor units,
	// 0 when it named none).
	Money         bool
	Amount        int64
	Outcome       Outcome // "" while open
	HTTPStatus    int
	ErrorCode     string
	CorrelationID string
	DurationMS    int64
	// Review is "", "reviewed" or "flagged": the latest review event's.
	Review        string
	ReviewSeq     int64
	ReconciledSeq int64

	tkey int64
}

const attemptCols = `a.tkey, a.seq, a.completed_seq, a.attempt_id, a.time, a.staff_id, a.staff_email, a.order_id, a.action,
	a.money, a.amount, a.outcome, a.http_status, a.error_code, a.correlation_id, a.duration_ms,
	a.review, a.review_seq, a.reconciled_seq`

// scanAttempt reads attemptCols.
func scanAttempt(s scanner) (AttemptRow, error) {
	var r AttemptRow
	var tm, outcome string
	err := s.Scan(&r.tkey, &r.Seq, &r.CompletedSeq, &r.AttemptID, &tm, &r.StaffID, &r.StaffEmail, &r.OrderID, &r.Action,
		&r.Money, &r.Amount, &outcome, &r.HTTPStatus, &r.ErrorCode, &r.CorrelationID, &r.DurationMS,
		&r.Review, &r.ReviewSeq, &r.ReconciledSeq)
	if err != nil {
		return r, err
	}
	r.Outcome = Outcome(outcome)
	t, err := time.Parse(time.RFC3339Nano, tm)
	if err != nil {
		return r, fmt.Errorf("audit: attempt %d: time %q: %w", r.Seq, tm, err)
	}
	r.Time = t.UTC()
	return r, nil
}

// AttemptPage is one page of attempts, newest first.
type AttemptPage struct {
	Rows []AttemptRow
	// Next is the cursor of the following page, "" on the last page.
	Next Cursor
}

// Attempts returns the page of attempts matching f that follows cursor,
// newest first by requested time (to the millisecond, then seq). Keyset pagination: a page
// costs the same however deep it is, and rows appended meanwhile do not
// shift later pages.
func (l *Log) Attempts(ctx context.Context, f Filter, cursor Cursor) (AttemptPage, error) {
	if err := l.SyncIndex(ctx); err != nil {
		return AttemptPage{}, err
	}
	return l.attemptPage(ctx, f, cursor, PageSize)
}

func (l *Log) attemptPage(ctx context.Context, f Filter, cursor Cursor, size int) (AttemptPage, error) {
	if err := f.Validate(); err != nil {
		return AttemptPage{}, err
	}
	var below int64
	if cursor != "" {
		k, err := cursor.parse()
		if err != nil {
			return AttemptPage{}, err
		}
		below = k
	}
	var query string
	var args []any
	if q := f.textQuery(); q != "" {
		// With text, the full-text index answers in tkey order by itself,
		// columns, dates and cursor included.
		tc := f.textCond(l.textArg(q), below)
		query = `SELECT ` + attemptCols + ` FROM attempts a WHERE a.tkey IN (
			SELECT rowid FROM attempt_text WHERE ` + tc.String() + ` ORDER BY rowid DESC LIMIT ?)
			ORDER BY a.tkey DESC`
		args = append(tc.args, size+1)
	} else {
		c := f.columnCond()
		if below > 0 {
			c.add("a.tkey < ?", below)
		}
		query = `SELECT ` + attemptCols + ` FROM attempts a WHERE ` + c.String() + ` ORDER BY a.tkey DESC LIMIT ?`
		args = append(c.args, size+1)
	}
	rows, err := l.idx.R.QueryContext(ctx, l.isql(query), args...)
	if err != nil {
		return AttemptPage{}, fmt.Errorf("audit: search: %w", err)
	}
	defer rows.Close()
	var page AttemptPage
	for rows.Next() {
		r, err := scanAttempt(rows)
		if err != nil {
			return AttemptPage{}, fmt.Errorf("audit: search: %w", err)
		}
		if len(page.Rows) == size {
			page.Next = cursorOf(page.Rows[size-1].tkey)
			break
		}
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return AttemptPage{}, fmt.Errorf("audit: search: %w", err)
	}
	return page, nil
}

// Count returns how many attempts match f.
func (l *Log) Count(ctx context.Context, f Filter) (int64, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	if err := l.SyncIndex(ctx); err != nil {
		return 0, err
	}
	if q := f.textQuery(); q != "" {
		return l.textMatches(ctx, f, q)
	}
	if f.onlyKeptColumns() {
		return l.countKept(ctx, f)
	}
	c := f.columnCond()
	var n int64
	if err := l.idx.R.QueryRowContext(ctx, l.isql(`SELECT count(*) FROM attempts a WHERE `+c.String()), c.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: count: %w", err)
	}
	return n, nil
}

// AttemptRowByID returns the index row of one attempt (the latest, if an
// id was ever used twice).
func (l *Log) AttemptRowByID(ctx context.Context, attemptID string) (AttemptRow, error) {
	if err := l.SyncIndex(ctx); err != nil {
		return AttemptRow{}, err
	}
	r, err := scanAttempt(l.idx.QueryRow(ctx, l.isql(`SELECT `+attemptCols+` FROM attempts a
		WHERE a.attempt_id = ? ORDER BY a.seq DESC LIMIT 1`), attemptID))
	if errors.Is(err, sql.ErrNoRows) {
		return AttemptRow{}, ErrNotFound
	}
	if err != nil {
		return AttemptRow{}, fmt.Errorf("audit: attempt %s: %w", attemptID, err)
	}
	return r, nil
}

// onlyKeptColumns reports whether f filters by nothing but action,
// outcome and dates, whose counts attempt_counts keeps per day.
func (f Filter) onlyKeptColumns() bool {
	g := f
	g.Action, g.Outcome, g.From, g.To = "", "", time.Time{}, time.Time{}
	return g.IsZero()
}

// msPerDay is a UTC day in milliseconds, the bucket of attempt_counts.
const msPerDay = 86400000

// countKept counts from the per-day counts (migration5): whole UTC days
// inside the date range are summed from attempt_counts; the partial days
// at either end are counted from the rows.
func (l *Log) countKept(ctx context.Context, f Filter) (int64, error) {
	kept := &cond{}
	if f.Action != "" {
		kept.add("action = ?", f.Action)
	}
	switch f.Outcome {
	case "":
	case OutcomePending:
		kept.add("outcome = ?", "")
	default:
		kept.add("outcome = ?", string(f.Outcome))
	}
	lo, hi := int64(0), int64(1)<<62 // tkey bounds, [lo, hi)
	if !f.From.IsZero() {
		lo = tkeyOf(f.From, 0)
	}
	if !f.To.IsZero() {
		hi = tkeyOf(f.To, 0)
	}
	// First and last whole day: [firstDay, endDay).
	firstDay := ((lo >> 20) + msPerDay - 1) / msPerDay
	endDay := (hi >> 20) / msPerDay
	var n int64
	edges := [][2]int64{{lo, hi}} // ranges counted from the rows
	if firstDay < endDay {
		kept.add("day >= ?", firstDay)
		kept.add("day < ?", endDay)
		if err := l.idx.R.QueryRowContext(ctx, l.isql(`SELECT coalesce(sum(n), 0) FROM attempt_counts WHERE `+kept.String()), kept.args...).Scan(&n); err != nil {
			return 0, fmt.Errorf("audit: count: %w", err)
		}
		edges = [][2]int64{{lo, firstDay * msPerDay << 20}, {endDay * msPerDay << 20, hi}}
	}
	for _, e := range edges {
		if e[0] >= e[1] {
			continue
		}
		g := f
		g.From, g.To = time.Time{}, time.Time{}
		c := g.columnCond()
		c.add("a.tkey >= ?", e[0])
		c.add("a.tkey < ?", e[1])
		var m int64
		if err := l.idx.R.QueryRowContext(ctx, l.isql(`SELECT count(*) FROM attempts a WHERE `+c.String()), c.args...).Scan(&m); err != nil {
			return 0, fmt.Errorf("audit: count: %w", err)
		}
		n += m
	}
	return n, nil
}
