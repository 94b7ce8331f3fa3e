package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/intake"
	"ordercare/internal/outbox"
)

// workers are the background goroutines Run starts and Close stops.
type workers struct {
	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// openSync opens the intake tables and, when outbound events are
// configured, the outbox: it reconciles with the audit log (after
// RecoverOpenAttempts, so attempts closed at start-up are sent too) and
// hooks the pipeline so every completed change is recorded at once.
func (a *App) openSync(ctx context.Context) error {
	var err error
	if a.intakeStore, err = intake.Open(ctx, a.adminDB); err != nil {
		return err
	}
	a.queue = intake.NewQueue(a.intakeStore, a.service, intake.QueueOptions{Rate: a.cfg.ImportRate, Now: a.now, Log: a.log})
	a.refresher = intake.NewRefresher(a.adminDB, a.service, a.now, a.log)
	if !a.cfg.Outbound() {
		return nil
	}
	if a.outbox, err = outbox.Open(ctx, a.adminDB, a.auditLog, outbox.Options{URL: a.cfg.OutboundURL,
		Secret: a.cfg.OutboundSecret, Now: a.now, Log: a.log}); err != nil {
		return err
	}
	n, err := a.outbox.Reconcile(ctx)
	if err != nil {
		return fmt.Errorf("outbound events: %w", err)
	}
	if n > 0 {
		a.log.Warn("outbound events: added completed changes recorded before the last stop", slog.Int("count", n))
	}
	ob, log := a.outbox, a.log
	// Every signed checkpoint of the audit log goes out too, as an
	// audit.checkpoint event: a copy the files' holder cannot rewrite.
	a.auditLog.PublishCheckpoints(func(cp audit.Checkpoint, note []byte) {
		if err := ob.RecordCheckpoint(context.Background(), cp, note); err != nil {
			log.Error("audit checkpoint not published", slog.Int64("count", cp.Count), slog.Any("err", err))
		}
	})
	a.service.OnCompleted(func(ctx context.Context, e audit.Event) {
		// The change has happened; a failure here is caught up by the
		// next reconcile (within a minute, or at start-up).
		if err := ob.Record(ctx, e); err != nil {
			log.Error("outbound event not recorded; the reconcile will add it", slog.Int64("audit_seq", e.Seq), slog.Any("err", err))
		}
	})
	return nil
}

// Leases names every lease startWorkers runs a worker under: while any
// instance of a fleet runs, some instance holds each of those it tries
// (admin audit rotate-key refuses to hand the fleet's key over then).
var Leases = []string{"intake", "refresh", "outbox", "approval-expiry", "shop-refresh", "bulk"}

// startWorkers runs the intake queue, the refresh (unless its rate is 0)
// and the outbound delivery until stopWorkers. Each runs under a lease of
// its own name: on PostgreSQL, on one instance of the fleet at a time,
// moving to another when that one stops (db.DB.Exclusive).
func (a *App) startWorkers(ctx context.Context) {
	a.workers.mu.Lock()
	defer a.workers.mu.Unlock()
	if a.workers.cancel != nil || a.queue == nil {
		return
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	a.workers.cancel = cancel
	run := func(lease string, f func(context.Context)) {
		a.workers.wg.Add(1)
		go func() {
			defer a.workers.wg.Done()
			a.adminDB.Exclusive(wctx, lease, leaseRetry, f)
		}()
	}
	run("intake", func(ctx context.Context) { a.queue.Run(ctx, 5*time.Second) })
	if every := intake.Interval(a.cfg.RefreshRate); every > 0 {
		run("refresh", func(ctx context.Context) { a.refresher.Run(ctx, every) })
	}
	if a.outbox != nil {
		run("outbox", func(ctx context.Context) { a.outbox.Run(ctx, 5*time.Second) })
	}
	if a.approvals != nil {
		run("approval-expiry", func(ctx context.Context) { a.approvals.Run(ctx, time.Minute) })
	}
	if a.shop != nil {
		run("shop-refresh", a.runShopRefresh)
	}
	if a.bulk != nil {
		run("bulk", a.bulk.Run)
	}
}

// leaseRetry is how often an instance without a job's lease asks again.
const leaseRetry = 5 * time.Second

// stopWorkers cancels the workers and waits for them: a read or a POST in
// flight is abandoned (the queue and the outbox keep their rows, so the
// next start does it again).
func (a *App) stopWorkers() {
	a.workers.mu.Lock()
	cancel := a.workers.cancel
	a.workers.cancel = nil
	a.workers.mu.Unlock()
	if cancel != nil {
		cancel()
		a.workers.wg.Wait()
	}
}
