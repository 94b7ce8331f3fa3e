package outbox

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery is one outbox row as the admin page shows it.
type Delivery struct {
	ID                                       int64
	EventID, OrderID, Action, Outcome        string
	State                                    string
	Attempts, LastStatus                     int
	LastError                                string
	CreatedAt, NextAt, DeliveredAt, GiveUpAt time.Time
}

// Failing reports a pending delivery that has failed at least once.
func (d Delivery) Failing() bool { return d.State == StatePending && d.Attempts > 0 }

// Counts of rows per view.
type Counts struct{ Pending, Failing, Failed, Delivered int }

// Views of List.
const (
	ViewPending   = "pending"   // not tried yet or retrying
	ViewFailed    = "failed"    // gave up
	ViewDelivered = "delivered" // newest first
)

// Counts returns how many rows are in each state.
func (o *Outbox) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	// Aggregate FILTER clauses: one statement for SQLite (3.30 and later)
	// and PostgreSQL, where summing a comparison works in SQLite only.
	err := o.db.R.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE state = 'pending' AND attempts = 0), count(*) FILTER (WHERE state = 'pending' AND attempts > 0),
		count(*) FILTER (WHERE state = 'failed'), count(*) FILTER (WHERE state = 'delivered') FROM outbox`).
		Scan(&c.Pending, &c.Failing, &c.Failed, &c.Delivered)
	if err != nil {
		return Counts{}, fmt.Errorf("outbox: counts: %w", err)
	}
	return c, nil
}

// List returns up to limit rows of a view: pending (due first), failed or
// delivered (newest first).
func (o *Outbox) List(ctx context.Context, view string, limit int) ([]Delivery, error) {
	var where, order string
	switch view {
	case ViewPending:
		where, order = `state = 'pending'`, `next_at, id`
	case ViewFailed:
		where, order = `state = 'failed'`, `id DESC`
	case ViewDelivered:
		where, order = `state = 'delivered'`, `id DESC`
	default:
		return nil, fmt.Errorf("outbox: unknown view %q", view)
	}
	// #nosec G202 -- where and order are constants picked by the switch above.
	rows, err := o.db.R.QueryContext(ctx, `SELECT id, event_id, order_id, action, outcome, state, attempts, last_status,
		last_error, created_at, next_at, delivered_at, give_up_at FROM outbox WHERE `+where+` ORDER BY `+order+` LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("outbox: list: %w", err)
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var d Delivery
		var created, next, delivered, giveUp string
		if err := rows.Scan(&d.ID, &d.EventID, &d.OrderID, &d.Action, &d.Outcome, &d.State, &d.Attempts, &d.LastStatus,
			&d.LastError, &created, &next, &delivered, &giveUp); err != nil {
			return nil, fmt.Errorf("outbox: list: %w", err)
		}
		d.CreatedAt, d.NextAt, d.GiveUpAt = parseTime(created), parseTime(next), parseTime(giveUp)
		if delivered != "" {
			d.DeliveredAt = parseTime(delivered)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// ErrNotRetryable is returned by Retry for a delivered or unknown row.
var ErrNotRetryable = errors.New("outbox: no such undelivered event")

// Retry makes an undelivered row due now, with a fresh retry window, and
// wakes delivery.
func (o *Outbox) Retry(ctx context.Context, id int64) error {
	now := o.now()
	res, err := o.db.W.ExecContext(ctx, `UPDATE outbox SET state = 'pending', next_at = ?, give_up_at = ?
		WHERE id = ? AND state <> 'delivered'`, fmtTime(now), fmtTime(now.Add(o.window)), id)
	if err != nil {
		return fmt.Errorf("outbox: retry: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotRetryable
	}
	o.poke()
	return nil
}
