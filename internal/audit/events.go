package audit

import (
	"context"
	"fmt"
	"strconv"
)

// EventPage is one page of events that are not attempts, newest first.
type EventPage struct {
	Events []Event
	// Next is the cursor of the following page, "" on the last.
	Next Cursor
}

// OtherEvents returns the page after cursor of the events that are not
// order-change attempts: sign-ins and sign-outs, lockouts, staff changes,
// exports, verifications, reviews and checks, newest first (by seq, through
// the partial index events_other). kind, when not empty, keeps one kind.
func (l *Log) OtherEvents(ctx context.Context, kind Kind, cursor Cursor) (EventPage, error) {
	where := `kind NOT IN ('requested', 'completed')`
	var args []any
	if kind != "" {
		where += ` AND kind = ?`
		args = append(args, string(kind))
	}
	if cursor != "" {
		seq, err := strconv.ParseInt(string(cursor), 36, 64)
		if err != nil || seq <= 0 {
			return EventPage{}, fmt.Errorf("%w: cursor %q", ErrBadFilter, string(cursor))
		}
		where += ` AND seq < ?`
		args = append(args, seq)
	}
	evs, err := l.eventsWhere(ctx, where+` ORDER BY seq DESC LIMIT ?`, append(args, PageSize+1)...)
	if err != nil {
		return EventPage{}, err
	}
	var p EventPage
	if len(evs) > PageSize {
		evs = evs[:PageSize]
		p.Next = Cursor(strconv.FormatInt(evs[PageSize-1].Seq, 36))
	}
	p.Events = evs
	return p, nil
}
