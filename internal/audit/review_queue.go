package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ordercare/internal/money"
)

// ReviewOptions say how the to-review queue judges office hours. There is
// no setting for them yet: callers pass the viewer's time zone and the
// defaults (07:00 to 19:00, Monday to Friday).
type ReviewOptions struct {
	Location *time.Location // default UTC
	// OfficeStart and OfficeEnd are hours of the day; a change at or after
	// OfficeEnd or before OfficeStart, or on a weekend, is outside.
	OfficeStart, OfficeEnd int
}

// Defaults of ReviewOptions.
const (
	DefaultOfficeStart = 7
	DefaultOfficeEnd   = 19
	// maxUnknownListed bounds the unknown outcomes listed above the queue.
	maxUnknownListed = 200
)

// Hint codes of ReviewItem.Hints.
const (
	HintOffHours       = "off_hours"
	HintSeveralRefunds = "several_refunds"
	HintRefundExceeds  = "refund_exceeds_capture"
)

// Hint is a reason to look at an attempt more closely.
type Hint struct {
	Code string
	Text string
}

// ReviewItem is an attempt waiting for review, with its hints.
type ReviewItem struct {
	AttemptRow
	Reason, Ticket string
	// Currency of the order as the attempt recorded it ("" if unknown).
	Currency string
	Hints    []Hint
}

// ReviewQueue is one page of the "to review" view.
type ReviewQueue struct {
	// Unknown lists attempts whose outcome is unknown and that nobody has
	// checked or reviewed yet, oldest first, whatever their action; only
	// on the first page.
	Unknown []ReviewItem
	// Items lists money changes (captures, refunds, authorization updates,
	// cancels, releases) that succeeded or whose unknown outcome was
	// checked, not yet reviewed, oldest first.
	Items []ReviewItem
	// Next is the cursor of the following page of Items, "" on the last.
	Next Cursor
	// Pending counts every money change awaiting review (incl. unknown).
	Pending int64
}

// reviewWhere selects money changes awaiting review; it repeats the
// partial index attempts_review's condition so that the index is used.
const reviewWhere = `a.money = 1 AND a.review = '' AND a.outcome IN ('succeeded', 'unknown')`

// ToReview returns the page of the to-review queue after cursor.
func (l *Log) ToReview(ctx context.Context, cursor Cursor, opts ReviewOptions) (ReviewQueue, error) {
	if err := l.SyncIndex(ctx); err != nil {
		return ReviewQueue{}, err
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.OfficeStart == 0 && opts.OfficeEnd == 0 {
		opts.OfficeStart, opts.OfficeEnd = DefaultOfficeStart, DefaultOfficeEnd
	}
	var q ReviewQueue
	var err error
	if q.Pending, err = l.PendingReviews(ctx); err != nil {
		return q, err
	}
	if cursor == "" {
		unknown, _, err := l.reviewRows(ctx, `a.outcome = 'unknown' AND a.reconciled_seq = 0 AND a.review = ''`, nil, maxUnknownListed)
		if err != nil {
			return q, err
		}
		q.Unknown = unknown
	}
	var after []any
	where := reviewWhere + ` AND NOT (a.outcome = 'unknown' AND a.reconciled_seq = 0)`
	if cursor != "" {
		k, err := cursor.parse()
		if err != nil {
			return q, err
		}
		where += ` AND a.tkey > ?`
		after = append(after, k)
	}
	items, more, err := l.reviewRows(ctx, where, after, PageSize)
	if err != nil {
		return q, err
	}
	q.Items = items
	if more {
		q.Next = cursorOf(items[len(items)-1].tkey)
	}
	if err := l.addHints(ctx, append(append([]ReviewItem(nil), q.Unknown...), q.Items...), opts, &q); err != nil {
		return q, err
	}
	return q, nil
}

// reviewRows reads up to limit attempts matching where, oldest first, and
// reports whether more follow.
func (l *Log) reviewRows(ctx context.Context, where string, args []any, limit int) ([]ReviewItem, bool, error) {
	// #nosec G202 -- where is built only from constant fragments of this file (reviewWhere and the cursor clause); values are ? parameters
	rows, err := l.idx.R.QueryContext(ctx, l.isql(`SELECT `+attemptCols+` FROM attempts a WHERE `+where+`
		ORDER BY a.tkey LIMIT ?`), append(args, limit+1)...)
	if err != nil {
		return nil, false, fmt.Errorf("audit: review queue: %w", err)
	}
	defer rows.Close()
	var out []ReviewItem
	more := false
	for rows.Next() {
		r, err := scanAttempt(rows)
		if err != nil {
			return nil, false, fmt.Errorf("audit: review queue: %w", err)
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, ReviewItem{AttemptRow: r})
	}
	return out, more, rows.Err()
}

// addHints fills reason, ticket, currency and hints of the queue's items.
func (l *Log) addHints(ctx context.Context, all []ReviewItem, opts ReviewOptions, q *ReviewQueue) error {
	if len(all) == 0 {
		return nil
	}
	rows := make([]AttemptRow, len(all))
	orders := map[string]bool{}
	for i, it := range all {
		rows[i] = it.AttemptRow
		orders[it.OrderID] = true
	}
	events, err := l.eventsBySeq(ctx, rows)
	if err != nil {
		return err
	}
	history, err := l.moneyHistory(ctx, orders)
	if err != nil {
		return err
	}
	fill := func(items []ReviewItem) {
		for i := range items {
			it := &items[i]
			req := events[it.Seq]
			it.Reason, it.Ticket, it.Currency = req.Reason, req.Ticket, currencyOf(req.Before)
			it.Hints = hintsFor(*it, history[it.OrderID], opts)
		}
	}
	fill(q.Unknown)
	fill(q.Items)
	return nil
}

// moneyHistory returns the captures and refunds (succeeded or unknown) of
// the orders, oldest first per order.
func (l *Log) moneyHistory(ctx context.Context, orders map[string]bool) (map[string][]AttemptRow, error) {
	ids := make([]any, 0, len(orders))
	for id := range orders {
		ids = append(ids, id)
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	// #nosec G202 -- marks is only "?," repeated; the order ids go as parameters
	rows, err := l.idx.R.QueryContext(ctx, l.isql(`SELECT `+attemptCols+` FROM attempts a
		WHERE a.order_id IN (`+marks+`) AND a.action IN ('create_capture', 'create_refund')
		AND a.outcome IN ('succeeded', 'unknown') ORDER BY a.tkey`), ids...)
	if err != nil {
		return nil, fmt.Errorf("audit: review hints: %w", err)
	}
	defer rows.Close()
	out := map[string][]AttemptRow{}
	for rows.Next() {
		r, err := scanAttempt(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: review hints: %w", err)
		}
		out[r.OrderID] = append(out[r.OrderID], r)
	}
	return out, rows.Err()
}

// hintsFor judges one item against its order's captures and refunds.
func hintsFor(it ReviewItem, history []AttemptRow, opts ReviewOptions) []Hint {
	var hints []Hint
	t := it.Time.In(opts.Location)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday || t.Hour() < opts.OfficeStart || t.Hour() >= opts.OfficeEnd {
		hints = append(hints, Hint{HintOffHours, fmt.Sprintf("outside office hours: %s (office hours %02d:00–%02d:00, Monday to Friday, %s)",
			t.Format("Mon 2 Jan 15:04"), opts.OfficeStart, opts.OfficeEnd, opts.Location)})
	}
	if it.Action != "create_refund" {
		return hints
	}
	refunds := 0
	var lastCapture *AttemptRow
	for i := range history {
		h := history[i]
		switch h.Action {
		case "create_refund":
			refunds++
		case "create_capture":
			if h.tkey < it.tkey && h.Outcome == OutcomeSucceeded {
				lastCapture = &history[i]
			}
		}
	}
	if refunds > 1 {
		hints = append(hints, Hint{HintSeveralRefunds, fmt.Sprintf("%d refunds on this order", refunds)})
	}
	if lastCapture != nil && it.Amount > lastCapture.Amount {
		hints = append(hints, Hint{HintRefundExceeds, fmt.Sprintf("refund of %s is larger than the capture before it (%s)",
			showAmount(it.Amount, it.Currency), showAmount(lastCapture.Amount, it.Currency))})
	}
	return hints
}

// currencyOf finds the currency in recorded values such as "149.97 EUR".
func currencyOf(values map[string]string) string {
	for _, v := range values {
		if i := strings.LastIndexByte(v, ' '); i > 0 && len(v)-i-1 == 3 && money.Known(v[i+1:]) {
			return v[i+1:]
		}
	}
	return ""
}

func showAmount(v int64, currency string) string {
	if currency == "" {
		return fmt.Sprintf("%d (minor units)", v)
	}
	return money.FormatPlain(v, currency) + " " + currency
}

// PendingReviews counts the money changes awaiting review (incl. unknown
// outcomes), for a link to the queue.
func (l *Log) PendingReviews(ctx context.Context) (int64, error) {
	if err := l.SyncIndex(ctx); err != nil {
		return 0, err
	}
	var n int64
	if err := l.idx.QueryRow(ctx, l.isql(`SELECT count(*) FROM attempts a WHERE `+reviewWhere)).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit: review queue: %w", err)
	}
	return n, nil
}
