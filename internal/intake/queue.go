package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/time/rate"

	"ordercare/internal/omclient"
)

// MaxPush is the most order ids one push may carry.
const MaxPush = 500

// Queue indexes pushed order ids in the background. The ids are stored in
// admin.db before the push is answered, so a restart loses none; a
// duplicate push while an id waits only keeps one row, and a push of an id
// read before simply reads it again (the shop says it changed).
type Queue struct {
	st      *Store
	fetch   Fetcher
	limiter *rate.Limiter
	now     func() time.Time
	log     *slog.Logger
	wake    chan struct{}

	// MaxAttempts reads per id before it is marked failed (default 6: with
	// the backoff, about ten minutes of trying).
	MaxAttempts int
	// BaseDelay is the wait after the first failed read; it doubles.
	BaseDelay time.Duration
}

// QueueOptions tune a Queue; zero values are the defaults.
type QueueOptions struct {
	Rate float64 // reads per second, default 20
	Now  func() time.Time
	Log  *slog.Logger
}

// NewQueue builds the intake queue over st.
func NewQueue(st *Store, f Fetcher, o QueueOptions) *Queue {
	if o.Rate <= 0 {
		o.Rate = 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Queue{st: st, fetch: f, limiter: rate.NewLimiter(rate.Limit(o.Rate), 1), now: o.Now, log: o.Log,
		wake: make(chan struct{}, 1), MaxAttempts: 6, BaseDelay: 10 * time.Second}
}

// Enqueue stores order ids to be read (due now) and wakes the worker. The
// ids must be valid order ids (omclient.ValidOrderID); it returns how many
// distinct ids it stored.
func (q *Queue) Enqueue(ctx context.Context, ids []string, source string) (int, error) {
	seen := map[string]bool{}
	now := fmtTime(q.now())
	tx, err := q.st.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("intake: enqueue: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, id := range ids {
		if seen[id] {
			continue
		}
		if !omclient.ValidOrderID(id) {
			return 0, fmt.Errorf("intake: enqueue: %q is not an order id", id)
		}
		seen[id] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO intake_queue (order_id, source, enqueued_at, next_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (order_id) DO UPDATE SET source = excluded.source, enqueued_at = excluded.enqueued_at,
			next_at = excluded.next_at, attempts = 0, state = 'pending', last_error = ''`, id, source, now, now); err != nil {
			return 0, fmt.Errorf("intake: enqueue %s: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("intake: enqueue: %w", err)
	}
	select {
	case q.wake <- struct{}{}:
	default:
	}
	return len(seen), nil
}

// QueueItem is one waiting or failed id.
type QueueItem struct {
	OrderID, Source, State, LastError string
	EnqueuedAt, NextAt                time.Time
	Attempts                          int
}

// Items lists the queue, due first (for tests and an operator's look).
func (q *Queue) Items(ctx context.Context) ([]QueueItem, error) {
	rows, err := q.st.db.R.QueryContext(ctx, `SELECT order_id, source, state, last_error, enqueued_at, next_at, attempts
		FROM intake_queue ORDER BY state DESC, next_at, order_id`)
	if err != nil {
		return nil, fmt.Errorf("intake: queue: %w", err)
	}
	defer rows.Close()
	var out []QueueItem
	for rows.Next() {
		var it QueueItem
		var enq, next string
		if err := rows.Scan(&it.OrderID, &it.Source, &it.State, &it.LastError, &enq, &next, &it.Attempts); err != nil {
			return nil, fmt.Errorf("intake: queue: %w", err)
		}
		it.EnqueuedAt, it.NextAt = parseTime(enq), parseTime(next)
		out = append(out, it)
	}
	return out, rows.Err()
}

// keepFailed is how long ids that could not be read stay visible.
const keepFailed = 7 * 24 * time.Hour

// Work reads every id that is due now, at the queue's rate, and returns
// how many it indexed. A failed read is retried later with backoff; after
// MaxAttempts the id is marked failed and kept a week for inspection.
func (q *Queue) Work(ctx context.Context) (int, error) {
	now := q.now()
	if _, err := q.st.db.W.ExecContext(ctx, `DELETE FROM intake_queue WHERE state = 'failed' AND next_at < ?`,
		fmtTime(now.Add(-keepFailed))); err != nil {
		return 0, fmt.Errorf("intake: prune: %w", err)
	}
	indexed := 0
	for {
		var id, enq string
		var attempts int
		err := q.claim(ctx).Scan(&id, &enq, &attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return indexed, nil
		}
		if err != nil {
			return indexed, fmt.Errorf("intake: queue: %w", err)
		}
		ferr := q.limiter.Wait(ctx)
		if ferr == nil {
			_, ferr = q.fetch.GetOrder(ctx, id)
		}
		if ferr != nil && ctx.Err() != nil {
			q.release(ctx, id, enq)
			return indexed, ctx.Err()
		}
		if ferr == nil {
			// Only when no newer push arrived during the read: that one
			// must be read again.
			if _, err := q.st.db.W.ExecContext(ctx, `DELETE FROM intake_queue WHERE order_id = ? AND enqueued_at = ?`, id, enq); err != nil {
				return indexed, fmt.Errorf("intake: queue: %w", err)
			}
			indexed++
			continue
		}
		attempts++
		state, next := "pending", q.now().Add(q.BaseDelay<<min(attempts-1, 16))
		if attempts >= q.MaxAttempts {
			state, next = "failed", q.now()
			q.log.Warn("intake: order could not be read, giving up", "order_id", id, "attempts", attempts, "err", ferr)
		} else {
			q.log.Info("intake: order read failed, will retry", "order_id", id, "attempts", attempts, "err", ferr)
		}
		if omclient.IsNotFound(ferr) {
			ferr = fmt.Errorf("unknown to the provider: %w", ferr)
		}
		if _, err := q.st.db.W.ExecContext(ctx, `UPDATE intake_queue SET attempts = ?, state = ?, next_at = ?, last_error = ?
			WHERE order_id = ? AND enqueued_at = ?`, attempts, state, fmtTime(next), reason(ferr), id, enq); err != nil {
			return indexed, fmt.Errorf("intake: queue: %w", err)
		}
	}
}

// claimLease is how long a claimed id is left to the worker that claimed
// it: far past a read's timeout, so an id is not read by two instances at
// once, and short enough that an id whose instance died mid-read is read
// by another soon after.
const claimLease = 2 * time.Minute

// claim takes the id due first for this worker: in one statement it moves
// its next_at past claimLease and returns it. The outer WHERE repeats the
// due conditions, so a second instance's claim that waited on the first's
// row lock (PostgreSQL re-checks the outer conditions after the wait, not
// the subquery) finds it no longer due and claims nothing.
func (q *Queue) claim(ctx context.Context) *sql.Row {
	now := q.now()
	return q.st.db.W.QueryRowContext(ctx, `UPDATE intake_queue SET next_at = ?
		WHERE order_id = (SELECT order_id FROM intake_queue WHERE state = 'pending' AND next_at <= ?
			ORDER BY next_at, order_id LIMIT 1)
		AND state = 'pending' AND next_at <= ?
		RETURNING order_id, enqueued_at, attempts`, fmtTime(now.Add(claimLease)), fmtTime(now), fmtTime(now))
}

// release makes a claimed id due again at once (a worker stopping before
// it read it); best effort, as the claim lapses anyway.
func (q *Queue) release(ctx context.Context, id, enq string) {
	_, _ = q.st.db.W.ExecContext(context.WithoutCancel(ctx), `UPDATE intake_queue SET next_at = ?
		WHERE order_id = ? AND enqueued_at = ? AND state = 'pending'`, fmtTime(q.now()), id, enq) // the claim lapses anyway
}

// Run works the queue until ctx ends: at once when woken by Enqueue, and
// every poll interval for retries that became due.
func (q *Queue) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := q.Work(ctx); err != nil && ctx.Err() == nil {
			q.log.Error("intake: queue worker", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-q.wake:
		case <-t.C:
		}
	}
}
