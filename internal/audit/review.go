package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ReviewStatus is a supervisor's verdict on an attempt.
type ReviewStatus string

const (
	ReviewReviewed ReviewStatus = "reviewed"
	ReviewFlagged  ReviewStatus = "flagged"
)

// ErrCommentRequired: flagging an attempt needs a comment saying why.
var ErrCommentRequired = errors.New("audit: a flag needs a comment")

// MaxCommentLen bounds a review comment (bytes).
const MaxCommentLen = 2000

// Review records a supervisor's review of an attempt as a new event (the
// attempt's own events are never edited): status reviewed or flagged, the
// comment in Reason. A later review supersedes an earlier one in the
// to-review view; all stay in the log.
func (l *Log) Review(ctx context.Context, actor Actor, attemptID string, status ReviewStatus, comment string) (Event, error) {
	comment = strings.TrimSpace(comment)
	switch {
	case status != ReviewReviewed && status != ReviewFlagged:
		return Event{}, fmt.Errorf("%w: review status %q", ErrBadFilter, status)
	case status == ReviewFlagged && comment == "":
		return Event{}, ErrCommentRequired
	case len(comment) > MaxCommentLen:
		return Event{}, fmt.Errorf("%w: comment longer than %d bytes", ErrBadFilter, MaxCommentLen)
	}
	a, err := l.AttemptRowByID(ctx, attemptID)
	if err != nil {
		return Event{}, err
	}
	return l.Append(ctx, Event{
		Kind: KindReview, AttemptID: a.AttemptID, Actor: actor, OrderID: a.OrderID, Action: a.Action,
		Reason: comment, Detail: map[string]string{"review": string(status), "requested_seq": fmt.Sprint(a.Seq)},
	})
}

// Reconciled records what the provider showed for the order of an attempt
// (an unknown outcome, typically) when actor checked it: observed holds the
// order's status and amounts as read.
func (l *Log) Reconciled(ctx context.Context, actor Actor, attemptID string, observed map[string]string) (Event, error) {
	a, err := l.AttemptRowByID(ctx, attemptID)
	if err != nil {
		return Event{}, err
	}
	detail := map[string]string{"requested_seq": fmt.Sprint(a.Seq)}
	for k, v := range observed {
		detail[k] = v
	}
	return l.Append(ctx, Event{
		Kind: KindReconciled, AttemptID: a.AttemptID, Actor: actor, OrderID: a.OrderID, Action: a.Action,
		Detail: detail,
	})
}

// Reviews returns the review and reconciled events of an attempt, oldest
// first, for its detail page.
func (l *Log) Reviews(ctx context.Context, attemptID string) ([]Event, error) {
	return l.eventsWhere(ctx, reviewsWhere, attemptID)
}

// reviewsWhere finds an attempt's review and reconciled events.
const reviewsWhere = byAttempt + ` AND kind IN ('review', 'reconciled') ORDER BY seq`

// eventsSQL selects the events matching where (which may end in ORDER BY).
func eventsSQL(where string) string {
	return `SELECT ` + selectColumns + ` FROM events WHERE ` + where
}

// eventsWhere returns the events matching where (which may end in ORDER BY).
func (l *Log) eventsWhere(ctx context.Context, where string, args ...any) ([]Event, error) {
	rows, err := l.db.Query(ctx, l.sql(eventsSQL(where)), args...)
	if err != nil {
		return nil, fmt.Errorf("audit: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: events: %w", err)
		}
		e, err := r.event()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
