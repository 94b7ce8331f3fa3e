package intake

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
)

// ExpiringWindow: an indexed order whose authorization ends within it is
// re-read whatever its status says, so the "expiring soon" list stays true.
const ExpiringWindow = 7 * 24 * time.Hour

// Refresher re-reads indexed orders that can still change (AUTHORIZED or
// PART_CAPTURED, or expiring within ExpiringWindow), the one read longest
// ago first, one at a time at a gentle rate. Captures, cancellations and
// expiries made outside the back office (the shop, the provider's portal)
// then show in search results and on the start page without anyone
// opening the order.
//
// It reads the order index's table in admin.db directly (order_index,
// internal/orders/index.go): the selection is a refresh concern, and the
// index's write path, Fetcher.GetOrder, stays the only writer.
type Refresher struct {
	db    *db.DB
	fetch Fetcher
	now   func() time.Time
	log   *slog.Logger

	// MinAge: an order read more recently is not read again (default 10
	// minutes), so a handful of open orders does not mean a read every tick.
	MinAge time.Duration

	// skip holds orders whose last re-read failed, until when.
	skip map[string]time.Time
}

// NewRefresher builds a refresher over the index in d.
func NewRefresher(d *db.DB, f Fetcher, now func() time.Time, log *slog.Logger) *Refresher {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Refresher{db: d, fetch: f, now: now, log: log, MinAge: 10 * time.Minute, skip: map[string]time.Time{}}
}

// candidates lists up to n orders due for a re-read, oldest read first.
func (r *Refresher) candidates(ctx context.Context, n int) ([]string, error) {
	now := r.now()
	rows, err := r.db.R.QueryContext(ctx, `SELECT order_id FROM order_index
		WHERE (status IN ('AUTHORIZED', 'PART_CAPTURED') OR (expires_at > ? AND expires_at <= ?))
		AND last_read_at <= ?
		ORDER BY last_read_at, order_id LIMIT ?`,
		fmtTime(now), fmtTime(now.Add(ExpiringWindow)), fmtTime(now.Add(-r.MinAge)), n)
	if err != nil {
		return nil, fmt.Errorf("intake: refresh candidates: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("intake: refresh candidates: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// refreshOne re-reads the most overdue order and returns its id ("" when
// none is due). A failed read is skipped for a while (an hour when the
// provider no longer knows the order, five minutes otherwise) so it does
// not block the others.
func (r *Refresher) refreshOne(ctx context.Context) (string, error) {
	ids, err := r.candidates(ctx, 1+len(r.skip))
	if err != nil {
		return "", err
	}
	now := r.now()
	for id, until := range r.skip {
		if !now.Before(until) {
			delete(r.skip, id)
		}
	}
	for _, id := range ids {
		if _, skipped := r.skip[id]; skipped {
			continue
		}
		if _, err := r.fetch.GetOrder(ctx, id); err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			wait := 5 * time.Minute
			if omclient.IsNotFound(err) {
				wait = time.Hour
			}
			r.skip[id] = now.Add(wait)
			return id, fmt.Errorf("intake: refresh %s: %w", id, err)
		}
		return id, nil
	}
	return "", nil
}

// Run re-reads one order per interval until ctx ends.
func (r *Refresher) Run(ctx context.Context, every time.Duration) {
	if every <= 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := r.refreshOne(ctx); err != nil && ctx.Err() == nil {
			r.log.Warn("intake: background re-read failed", "err", err)
		}
	}
}

// Interval turns a rate per second into the time between re-reads (0 = off).
func Interval(perSecond float64) time.Duration {
	if perSecond <= 0 {
		return 0
	}
	return time.Duration(float64(time.Second) / perSecond)
}
