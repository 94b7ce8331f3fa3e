package app

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"ordercare/internal/money"
)

// ShutdownTimeout is how long in-flight requests may take to finish after
// the stop signal.
const ShutdownTimeout = 20 * time.Second

// Run serves until ctx is cancelled (SIGINT/SIGTERM in cmd/admin), then
// stops accepting, lets in-flight requests finish, and closes the
// databases. It always closes the App.
func (a *App) Run(ctx context.Context) error {
	defer a.Close()
	cleanupCtx, stopCleanup := context.WithCancel(context.WithoutCancel(ctx))
	defer stopCleanup()
	go a.sessions.Cleanup(cleanupCtx, 5*time.Minute, a.log)
	a.startWorkers(ctx)

	errc := make(chan error, 1)
	go func() { errc <- a.server.Serve(a.ln) }()
	a.log.Info("ordercare listening", slog.String("addr", a.Addr()), slog.String("environment", a.handlers.Env.Kind),
		slog.String("provider", string(a.client.Provider())))
	if p := a.policy; p.Active() {
		// Say which changes wait for a second person, so an operator can
		// see at a glance that the policy they configured is the one in force.
		a.log.Info("four-eyes approval on", slog.String("thresholds", money.FormatAmounts(p.Thresholds)),
			slog.String("daily_refund_limits", money.FormatAmounts(p.DailyRefundLimits)), slog.Duration("ttl", a.cfg.ApprovalTTL))
	}

	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing in-flight requests")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := a.server.Shutdown(sctx); err != nil {
		a.log.Error("shutdown did not finish in time", slog.Any("err", err))
		return err
	}
	<-errc
	a.stopWorkers()
	a.log.Info("stopped")
	return nil
}

// Close stops the built-in sandbox and closes the databases. It is safe to
// call more than once; Run calls it.
func (a *App) Close() error {
	a.closeOnce.Do(func() {
		var errs []error
		if a.server != nil && a.ln != nil {
			// Not served yet (Build failed late, or Run never called).
			_ = a.ln.Close()
		}
		// The workers read the provider and write admin.db: stop them
		// before either goes away.
		a.stopWorkers()
		errs = append(errs, a.closeShop())
		if a.sandboxServer != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			errs = append(errs, a.sandboxServer.Shutdown(ctx))
			cancel()
		}
		if a.sandbox != nil {
			errs = append(errs, a.sandbox.Close())
		}
		if a.stopWitness != nil {
			a.stopWitness() // before the log it reads proofs from
		}
		if a.auditLog != nil {
			errs = append(errs, a.auditLog.Close())
		}
		if a.index != nil {
			errs = append(errs, a.index.Close()) // the views it has not written yet
		}
		if a.adminDB != nil {
			errs = append(errs, a.adminDB.Close())
		}
		errs = append(errs, a.dataLock.Release())
		a.closeErr = errors.Join(errs...)
	})
	return a.closeErr
}
