package orders

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// The start page's "recently opened" list is written behind the pages
// that open orders: RecordView notes the view in memory and a short-lived
// goroutine writes what gathered in viewFlushDelay in one transaction.
// The write transaction RecordView used to make on every order page was
// the largest single step of the page after the provider's answer (about
// 0.35 ms at the median, 1.2 ms at p99, a tenth of the page's CPU).
// RecentlyViewed writes what is waiting first, so the list a member sees
// always holds every order they opened. Views not yet written when the
// process dies are lost: the list is a convenience, not a record (the
// audit log is the record of changes).

// viewFlushDelay is how long views gather before they are written.
const viewFlushDelay = 100 * time.Millisecond

// trimViewsAbove: a member's views are trimmed back to keepViews only once
// more than this many are stored. The trim (a sorted anti-join) was half
// of the view write's CPU when it ran on every view; RecentlyViewed never
// returns more than keepViews, so the few extra rows are never shown.
const trimViewsAbove = keepViews + 10

type viewKey struct {
	staffID int64
	orderID string
}

type viewLog struct {
	mu sync.Mutex
	// last is each member's latest view noted by this process, to skip a
	// reload of the same order.
	last    map[int64]viewKeyAt
	pending map[viewKey]time.Time
	waiting bool // a flush goroutine is waiting or writing
	closing chan struct{}
	bg      sync.WaitGroup

	flushMu sync.Mutex // one write of views at a time
}

type viewKeyAt struct {
	orderID string
	at      time.Time
}

func (v *viewLog) init() {
	v.last = map[int64]viewKeyAt{}
	v.pending = map[viewKey]time.Time{}
	v.closing = make(chan struct{})
}

// RecordView notes that a staff member opened an order, keeping the last
// keepViews per staff member (up to trimViewsAbove rows are stored). When
// the order already is the member's most recent view, less than
// ReadFreshness before at, the list would not change (only its "viewed"
// time, by under a minute: the start page shows it to the minute), so
// nothing is noted: reloading an order, or coming back to it from one of
// its forms, writes nothing. It does not wait for the write.
func (ix *Index) RecordView(ctx context.Context, staffID int64, orderID string, at time.Time) error {
	v := &ix.views
	v.mu.Lock()
	defer v.mu.Unlock()
	if l, ok := v.last[staffID]; ok && l.orderID == orderID && at.Sub(l.at) < ReadFreshness {
		return nil
	}
	v.last[staffID] = viewKeyAt{orderID, at}
	v.pending[viewKey{staffID, orderID}] = at
	if !v.waiting {
		v.waiting = true
		v.bg.Add(1)
		// The write outlives the page that noted the view.
		go ix.flushLater(context.WithoutCancel(ctx))
	}
	return nil
}

// flushLater writes the views noted within viewFlushDelay (or at once
// when the index closes).
func (ix *Index) flushLater(ctx context.Context) {
	defer ix.views.bg.Done()
	t := time.NewTimer(viewFlushDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ix.views.closing:
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ix.views.mu.Lock()
	ix.views.waiting = false
	ix.views.mu.Unlock()
	if err := ix.flushViews(ctx); err != nil {
		slog.Default().Warn("recording order views failed", slog.Any("err", err))
	}
}

// flushViews writes the views noted so far in one transaction, trimming
// the lists that grew past trimViewsAbove. On failure the views are
// noted again for the next write.
func (ix *Index) flushViews(ctx context.Context) error {
	v := &ix.views
	v.flushMu.Lock()
	defer v.flushMu.Unlock()
	v.mu.Lock()
	if len(v.pending) == 0 {
		v.mu.Unlock()
		return nil
	}
	batch := v.pending
	v.pending = map[viewKey]time.Time{}
	v.mu.Unlock()
	if err := ix.writeViews(ctx, batch); err != nil {
		v.mu.Lock()
		for k, at := range batch {
			if cur, ok := v.pending[k]; !ok || cur.Before(at) {
				v.pending[k] = at
			}
		}
		v.mu.Unlock()
		return fmt.Errorf("orders: record views: %w", err)
	}
	return nil
}

func (ix *Index) writeViews(ctx context.Context, batch map[viewKey]time.Time) error {
	tx, err := ix.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	staff := map[int64]bool{}
	for k, at := range batch {
		if _, err := tx.ExecContext(ctx, `INSERT INTO order_views (staff_id, order_id, viewed_at) VALUES (?, ?, ?)
			ON CONFLICT (staff_id, order_id) DO UPDATE SET viewed_at = max(viewed_at, excluded.viewed_at)`,
			k.staffID, k.orderID, fmtTime(at)); err != nil {
			return err
		}
		staff[k.staffID] = true
	}
	for id := range staff {
		if _, err := tx.ExecContext(ctx, `DELETE FROM order_views WHERE staff_id = ?1
			AND (SELECT count(*) FROM order_views WHERE staff_id = ?1) > ?2
			AND order_id NOT IN (SELECT order_id FROM order_views WHERE staff_id = ?1
				ORDER BY viewed_at DESC, order_id DESC LIMIT ?3)`, id, trimViewsAbove, keepViews); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Close writes the views still waiting. The index is not used after it.
func (ix *Index) Close() error {
	ix.views.mu.Lock()
	select {
	case <-ix.views.closing:
	default:
		close(ix.views.closing)
	}
	ix.views.mu.Unlock()
	ix.views.bg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return ix.flushViews(ctx)
}
