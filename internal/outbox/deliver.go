package outbox

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DeliverDue sends every row that is due now, oldest first, and returns
// how many the receiver accepted. Rows are sent one at a time: a receiver
// gets events roughly in order and is never flooded.
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	delivered := 0
	for {
		var id int64
		var eventID, giveUp string
		var body []byte
		var attempts int
		err := o.claim(ctx).Scan(&id, &eventID, &body, &attempts, &giveUp)
		if errors.Is(err, sql.ErrNoRows) {
			return delivered, nil
		}
		if err != nil {
			return delivered, fmt.Errorf("outbox: %w", err)
		}
		status, sendErr := o.post(ctx, eventID, body)
		if sendErr != nil && ctx.Err() != nil {
			// Shutting down: the try does not count, and the row is due
			// again at once rather than when the claim would lapse.
			_, _ = o.db.W.ExecContext(context.WithoutCancel(ctx), `UPDATE outbox SET next_at = ? WHERE id = ? AND state = 'pending'`,
				fmtTime(o.now()), id) // best effort: the claim lapses anyway
			return delivered, ctx.Err()
		}
		now := o.now()
		attempts++
		if sendErr == nil {
			if _, err := o.db.W.ExecContext(ctx, `UPDATE outbox SET state = 'delivered', attempts = ?, last_status = ?,
				last_error = '', delivered_at = ? WHERE id = ?`, attempts, status, fmtTime(now), id); err != nil {
				return delivered, fmt.Errorf("outbox: %w", err)
			}
			delivered++
			continue
		}
		state, next := StatePending, now.Add(o.backoff(attempts))
		if !next.Before(parseTime(giveUp)) {
			state = StateFailed
			o.log.Error("outbound event not delivered, giving up", "event_id", eventID, "attempts", attempts, "err", sendErr)
		} else {
			o.log.Warn("outbound event not delivered, will retry", "event_id", eventID, "attempts", attempts,
				"retry_at", next.Format(time.RFC3339), "err", sendErr)
		}
		if _, err := o.db.W.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = ?, next_at = ?, last_status = ?,
			last_error = ? WHERE id = ?`, state, attempts, fmtTime(next), status, oneLine(sendErr.Error()), id); err != nil {
			return delivered, fmt.Errorf("outbox: %w", err)
		}
	}
}

// claimLease is how long a claimed row is left to the instance that
// claimed it: past the post's timeout, so a row is never sent twice at
// once, and short, so that a row whose instance died while sending it is
// sent by another soon after.
const claimLease = DefaultTimeout + 30*time.Second

// claim takes the oldest due row for this instance: in one statement it
// moves the row's next_at past claimLease and returns it. The repeated
// conditions of the outer WHERE make a second instance's claim of the same
// row, waiting on the first's row lock (PostgreSQL re-checks them, not
// the subquery, after the wait), find it no longer due and claim nothing.
func (o *Outbox) claim(ctx context.Context) *sql.Row {
	now := o.now()
	return o.db.W.QueryRowContext(ctx, `UPDATE outbox SET next_at = ?
		WHERE id = (SELECT id FROM outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT 1)
		AND state = 'pending' AND next_at <= ?
		RETURNING id, event_id, body, attempts, give_up_at`,
		fmtTime(now.Add(claimLease)), fmtTime(now), fmtTime(now))
}

// backoff is the wait after the n-th failed try: BaseDelay doubling, capped.
func (o *Outbox) backoff(n int) time.Duration {
	d := o.baseDelay
	for i := 1; i < n && d < o.maxDelay; i++ {
		d *= 2
	}
	return min(d, o.maxDelay)
}

// post sends one event, signed at this moment. Any 2xx accepts it.
func (o *Outbox) post(ctx context.Context, eventID string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ordercare-outbound/1")
	req.Header.Set(EventIDHeader, eventID)
	req.Header.Set(SignatureHeader, Sign(o.secret, o.now(), body))
	resp, err := o.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST failed: %w", err)
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20)) // reuse the connection
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := fmt.Sprintf("receiver answered %s", resp.Status)
		if s := strings.TrimSpace(string(snippet)); s != "" {
			msg += ": " + s
		}
		return resp.StatusCode, errors.New(msg)
	}
	return resp.StatusCode, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// Run delivers until ctx ends: at once when a row is recorded, every poll
// interval for retries that became due, and reconciles with the audit log
// every minute.
func (o *Outbox) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = 5 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	lastReconcile := time.Now()
	for {
		if time.Since(lastReconcile) >= time.Minute {
			lastReconcile = time.Now()
			if n, err := o.Reconcile(ctx); err != nil && ctx.Err() == nil {
				o.log.Error("outbox: reconcile", "err", err)
			} else if n > 0 {
				o.log.Warn("outbox: added events the completed hook had missed", "count", n)
			}
		}
		if _, err := o.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			o.log.Error("outbox: delivery", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-o.wake:
		case <-t.C:
		}
	}
}
