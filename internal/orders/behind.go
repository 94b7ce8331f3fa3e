package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"ordercare/internal/omclient"
)

// Two writes are made behind the order page rather than before it: the
// member's "recently opened" list (RecordView) and the index row of the
// order just read (UpsertLater). Each is noted in memory and a short-lived
// goroutine writes what gathered in behindDelay. Together they were the
// largest steps of the page after the provider's answer: the view's write
// transaction about 0.35 ms at the median (1.2 ms at p99), the index's
// unchanged-check about 0.3 ms (2 ms at p99), on the page an agent waits
// for (docs/PERFORMANCE.md, section 1).
//
// Every reader of the index (Search, Get, RecentlyViewed, ExpiringSoon)
// writes what is waiting first, so what a member sees always holds every
// order they opened and the values of the latest read. What is not yet
// written when the process dies is lost: the list is a convenience, and
// the index is a cache of provider reads that the background refresh and
// the next read put right (the audit log is the record of changes).

// behindDelay is how long views and reads gather before they are written.
const behindDelay = 100 * time.Millisecond

// trimViewsAbove: a member's views are trimmed back to keepViews only once
// more than this many are stored. The trim (a sorted anti-join) was half
// of the view write's CPU when it ran on every view; RecentlyViewed never
// returns more than keepViews, so the few extra rows are never shown.
const trimViewsAbove = keepViews + 10

type viewKey struct {
	staffID int64
	orderID string
}

type viewKeyAt struct {
	orderID string
	at      time.Time
}

// pendingRead is an order read waiting for its index write.
type pendingRead struct {
	o      *omclient.Order
	seenAt time.Time
}

type behind struct {
	mu sync.Mutex
	// last is each member's latest view noted by this process, to skip a
	// reload of the same order.
	last    map[int64]viewKeyAt
	views   map[viewKey]time.Time
	reads   map[string]pendingRead // by order id: the latest read only
	waiting bool                   // a flush goroutine is waiting or writing
	closing chan struct{}
	bg      sync.WaitGroup

	flushMu sync.Mutex // one write of what is waiting at a time
}

func (b *behind) init() {
	b.last = map[int64]viewKeyAt{}
	b.views = map[viewKey]time.Time{}
	b.reads = map[string]pendingRead{}
	b.closing = make(chan struct{})
}

// RecordView notes that a staff member opened an order, keeping the last
// keepViews per staff member (up to trimViewsAbove rows are stored). When
// the order already is the member's most recent view, less than
// ReadFreshness before at, the list would not change (only its "viewed"
// time, by under a minute: the start page shows it to the minute), so
// nothing is noted: reloading an order, or coming back to it from one of
// its forms, writes nothing. It does not wait for the write.
func (ix *Index) RecordView(ctx context.Context, staffID int64, orderID string, at time.Time) error {
	b := &ix.behind
	b.mu.Lock()
	defer b.mu.Unlock()
	if l, ok := b.last[staffID]; ok && l.orderID == orderID && at.Sub(l.at) < ReadFreshness {
		return nil
	}
	b.last[staffID] = viewKeyAt{orderID, at}
	b.views[viewKey{staffID, orderID}] = at
	ix.writeLater(ctx)
	return nil
}

// UpsertLater is Upsert behind the page: it notes the read and returns at
// once. Of two reads of one order waiting, the later one is written.
func (ix *Index) UpsertLater(ctx context.Context, o *omclient.Order, seenAt time.Time) error {
	if o == nil || o.OrderID == "" {
		return errors.New("orders: index: order without id")
	}
	b := &ix.behind
	b.mu.Lock()
	defer b.mu.Unlock()
	if cur, ok := b.reads[o.OrderID]; !ok || !seenAt.Before(cur.seenAt) {
		b.reads[o.OrderID] = pendingRead{o, seenAt}
	}
	ix.writeLater(ctx)
	return nil
}

// writeLater starts the goroutine that writes what is waiting, unless one
// is waiting already. b.mu is held.
func (ix *Index) writeLater(ctx context.Context) {
	b := &ix.behind
	if b.waiting {
		return
	}
	b.waiting = true
	b.bg.Add(1)
	// The write outlives the page that noted it.
	go ix.flushLater(context.WithoutCancel(ctx))
}

// flushLater writes what was noted within behindDelay (or at once when
// the index closes).
func (ix *Index) flushLater(ctx context.Context) {
	defer ix.behind.bg.Done()
	t := time.NewTimer(behindDelay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ix.behind.closing:
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ix.behind.mu.Lock()
	ix.behind.waiting = false
	ix.behind.mu.Unlock()
	ix.writeWaiting(ctx)
}

// writeWaiting is flush for the index's readers: a write that fails is
// logged and left for the next one, and the reader goes on with what is
// stored (a search must not fail because a page's write behind it did).
func (ix *Index) writeWaiting(ctx context.Context) {
	if err := ix.flush(ctx); err != nil {
		slog.Default().Warn("writing order reads and views failed", slog.Any("err", err))
	}
}

// flush writes what is waiting: the reads first (a view joins the index
// row of its order), then the views in one transaction, trimming the
// lists that grew past trimViewsAbove. What fails is noted again for the
// next write, unless something newer was noted meanwhile.
func (ix *Index) flush(ctx context.Context) error {
	b := &ix.behind
	b.flushMu.Lock()
	defer b.flushMu.Unlock()
	b.mu.Lock()
	if len(b.views) == 0 && len(b.reads) == 0 {
		b.mu.Unlock()
		return nil
	}
	views, reads := b.views, b.reads
	b.views, b.reads = map[viewKey]time.Time{}, map[string]pendingRead{}
	b.mu.Unlock()

	var errs []error
	for id, r := range reads {
		if err := ix.Upsert(ctx, r.o, r.seenAt); err != nil {
			errs = append(errs, err)
			b.mu.Lock()
			if cur, ok := b.reads[id]; !ok || cur.seenAt.Before(r.seenAt) {
				b.reads[id] = r
			}
			b.mu.Unlock()
		}
	}
	if len(views) > 0 {
		if err := ix.writeViews(ctx, views); err != nil {
			errs = append(errs, fmt.Errorf("orders: record views: %w", err))
			b.mu.Lock()
			for k, at := range views {
				if cur, ok := b.views[k]; !ok || cur.Before(at) {
					b.views[k] = at
				}
			}
			b.mu.Unlock()
		}
	}
	return errors.Join(errs...)
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
			ON CONFLICT (staff_id, order_id) DO UPDATE SET viewed_at = CASE
				WHEN excluded.viewed_at > order_views.viewed_at THEN excluded.viewed_at ELSE order_views.viewed_at END`,
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

// Close writes what is still waiting. The index is not used after it.
func (ix *Index) Close() error {
	ix.behind.mu.Lock()
	select {
	case <-ix.behind.closing:
	default:
		close(ix.behind.closing)
	}
	ix.behind.mu.Unlock()
	ix.behind.bg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return ix.flush(ctx)
}
