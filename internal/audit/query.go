package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is returned for an event or attempt that does not exist.
var ErrNotFound = errors.New("audit: not found")

// Event returns the event with the given seq.
func (l *Log) Event(ctx context.Context, seq int64) (Event, error) {
	r, err := scanRow(l.db.QueryRow(ctx, `SELECT `+selectColumns+` FROM events WHERE seq = ?`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, ErrNotFound
	}
	if err != nil {
		return Event{}, fmt.Errorf("audit: event %d: %w", seq, err)
	}
	return r.event()
}

// Attempt returns one attempt by id.
func (l *Log) Attempt(ctx context.Context, attemptID string) (Attempt, error) {
	as, err := l.attempts(ctx, byAttempt, attemptID)
	if err != nil {
		return Attempt{}, err
	}
	if len(as) == 0 {
		return Attempt{}, ErrNotFound
	}
	return as[0], nil
}

// AttemptsByKey returns the attempts sent with an idempotency key, newest
// first (normally one; more when an unknown outcome was retried).
func (l *Log) AttemptsByKey(ctx context.Context, idempotencyKey string) ([]Attempt, error) {
	if idempotencyKey == "" {
		return nil, nil
	}
	return l.attempts(ctx, byKey, idempotencyKey)
}

// OrderAttempts returns the order's attempts, requested and completed
// joined, newest first.
func (l *Log) OrderAttempts(ctx context.Context, orderID string) ([]Attempt, error) {
	if orderID == "" {
		return nil, nil
	}
	return l.attempts(ctx, byOrder, orderID)
}

// The log's lookups by attempt, idempotency key and order. Each repeats
// its partial index's condition (events_attempt, events_idempotency,
// events_order): SQLite uses a partial index only when the query implies
// its WHERE, and "order_id = ?" does not (the value may be empty). Without
// it every lookup read all requested and completed events through
// events_kind: 1.2-1.3 s per order page and per form over 1,000,000
// events (BenchmarkLookups; TestLookupsUseTheirIndexes keeps the plans).
const (
	byAttempt = `attempt_id = ? AND attempt_id <> ''`
	byKey     = `idempotency_key = ? AND idempotency_key <> ''`
	byOrder   = `order_id = ? AND order_id <> ''`
)

// attemptsSQL selects the requested and completed events matching where,
// newest first.
func attemptsSQL(where string) string {
	return `SELECT ` + selectColumns + ` FROM events
		WHERE ` + where + ` AND kind IN ('requested', 'completed') ORDER BY seq DESC`
}

// attempts loads the requested and completed events matching where and
// joins them by attempt id, newest requested first.
func (l *Log) attempts(ctx context.Context, where string, args ...any) ([]Attempt, error) {
	rows, err := l.db.Query(ctx, l.sql(attemptsSQL(where)), args...)
	if err != nil {
		return nil, fmt.Errorf("audit: attempts: %w", err)
	}
	defer rows.Close()
	var out []Attempt
	completed := map[string]*Event{}
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: attempts: %w", err)
		}
		e, err := r.event()
		if err != nil {
			return nil, err
		}
		switch e.Kind {
		case KindCompleted:
			// Newest first, so a completed event is seen before its
			// requested event; keep the first (latest) if ever doubled.
			if _, seen := completed[e.AttemptID]; !seen {
				completed[e.AttemptID] = &e
			}
		case KindRequested:
			out = append(out, Attempt{AttemptID: e.AttemptID, Requested: e, Completed: completed[e.AttemptID]})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: attempts: %w", err)
	}
	return out, nil
}

// openAttemptsSQL selects the requested events of seq (from, to] that have
// no completed event (openAttempts).
const openAttemptsSQL = `SELECT ` + selectColumns + ` FROM events r
	WHERE r.kind = 'requested' AND r.seq > ? AND r.seq <= ? AND NOT EXISTS (
		SELECT 1 FROM events c INDEXED BY events_attempt
		WHERE c.attempt_id = r.attempt_id AND c.attempt_id <> '' AND c.kind = 'completed')
	ORDER BY r.seq`

// openAttempts returns the requested events of seq (from, to] without a
// completed event. The completed event is looked up by attempt id
// (events_attempt, named: without statistics SQLite 3.54 took events_kind
// for it and compared every requested event with every completed one;
// over a log of 1,000,000 events that had not finished after ten
// minutes, and every start ran it before serving).
func (l *Log) openAttempts(ctx context.Context, from, to int64) ([]Event, error) {
	rows, err := l.db.R.QueryContext(ctx, l.sql(openAttemptsSQL), from, to)
	if err != nil {
		return nil, fmt.Errorf("audit: open attempts: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			return nil, fmt.Errorf("audit: open attempts: %w", err)
		}
		e, err := r.event()
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RecoverOpenAttempts closes every attempt that has a requested event but no
// completed event (the admin stopped between the two) with a completed
// event of outcome unknown, so that the attempt shows up as needing a check
// rather than as still running. Run it at start-up, before serving: an
// attempt in flight in this process would otherwise be closed too.
// It returns how many attempts it closed.
//
// It looks only at the requested events after the mark the last
// recovery left (recovery_mark), up to the head as it was before this one
// began: every attempt requested up to there is closed by the time the
// mark moves, and later ones are the next start's. A start then reads the
// events since the last one, not the whole log: over 1,000,000 events the
// full look takes seconds.
//
// On a log that several instances share, the others serve while one
// starts: it closes its own open attempts and those of others older than
// RecoverAge, never one another instance may still complete.
func (l *Log) RecoverOpenAttempts(ctx context.Context, now time.Time) (int, error) {
	to, toHash, err := l.Head(ctx)
	if err != nil {
		return 0, err
	}
	from, err := l.recoveredThrough(ctx)
	if err != nil {
		return 0, err
	}
	open, err := l.openAttempts(ctx, from, to)
	if err != nil {
		return 0, err
	}
	open, markSeq := l.recoverable(open, now, to)
	for i, req := range open {
		_, err := l.Append(ctx, Event{
			Time: now, Kind: KindCompleted, AttemptID: req.AttemptID, Actor: req.Actor,
			OrderID: req.OrderID, Action: req.Action, IdempotencyKey: req.IdempotencyKey,
			Outcome: OutcomeUnknown,
			Detail: map[string]string{
				"recovered":     "true",
				"requested_seq": fmt.Sprint(req.Seq),
				"note":          "the admin stopped before the outcome was recorded; check the order at the provider",
			},
		})
		if err != nil {
			return i, err
		}
	}
	if markSeq > from {
		markHash := toHash
		if markSeq != to {
			if markHash, err = hashAt(ctx, l.db.R, markSeq); err != nil {
				return len(open), err
			}
		}
		if _, err := l.db.W.ExecContext(ctx, `INSERT INTO recovery_mark (id, seq, hash) VALUES (1, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash`, markSeq, markHash); err != nil {
			return len(open), fmt.Errorf("audit: recovery mark: %w", err)
		}
	}
	return len(open), nil
}

// RecoverAge is how old another instance's open attempt must be before
// a start-up closes it, on a log that several instances share
// (PostgreSQL): younger, that instance may be calling the provider for
// it right now (a call's budget, retries included, is 30 s by default).
// An instance closes its own open attempts when it starts again under
// its name (ORDERCARE_INSTANCE); this age closes those of one that does
// not come back.
const RecoverAge = 10 * time.Minute

// recoverable returns the open attempts (in seq order) that this start
// closes, and the seq up to which every attempt is then closed (the
// next mark). A log of one instance (SQLite) closes them all, up to to.
// On a shared log it leaves other instances' attempts younger than
// RecoverAge open, and the mark before the first of them, so that the
// next start looks at it again.
func (l *Log) recoverable(open []Event, now time.Time, to int64) ([]Event, int64) {
	if !l.db.Postgres {
		return open, to
	}
	mark := to
	var closing []Event
	for _, req := range open {
		if req.Instance == l.instance || now.Sub(req.Time) >= RecoverAge {
			closing = append(closing, req)
			continue
		}
		if mark == to {
			mark = req.Seq - 1
		}
	}
	return closing, mark
}

// recoveredThrough is the seq up to which an earlier start closed every
// open attempt: the mark's, when it names an event of this log by seq and
// hash (a restored audit.db may hold fewer events, or others), else 0.
func (l *Log) recoveredThrough(ctx context.Context) (int64, error) {
	var seq int64
	err := l.db.R.QueryRowContext(ctx, `SELECT m.seq FROM recovery_mark m
		JOIN events e ON e.seq = m.seq AND e.hash = m.hash`).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("audit: recovery mark: %w", err)
	}
	return seq, nil
}
