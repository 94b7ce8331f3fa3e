package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/intake"
	"ordercare/internal/orders"
)

// Indexer is what `admin index import` needs: the provider client behind
// the order service (every read indexes the order) and the intake tables,
// without the web server. It may run while the server does (SQLite WAL;
// on PostgreSQL, under the same writer lock as the instances).
type Indexer struct {
	Service *orders.Service
	Intake  *intake.Store
	app     *App
}

// OpenIndexer opens admin.db (or ORDERCARE_DATABASE_URL's database), audit.db (the service needs it; nothing is
// appended by reads) and the provider named by cfg: the built-in sandbox's
// sandbox.db in sandbox mode. It does not recover open audit attempts:
// those may be in flight in a running server.
func OpenIndexer(ctx context.Context, cfg config.Config, opts ...Option) (_ *Indexer, err error) {
	o := buildOpts{log: slog.Default(), out: os.Stdout, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, err := readSettings(cfg); err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: o.log, out: o.out, now: o.now}
	defer func() {
		if err != nil {
			_ = a.Close()
		}
	}()
	if a.dataLock, err = holdDataFolder(cfg); err != nil {
		return nil, err
	}
	if a.adminDB, err = openAdminDB(ctx, cfg); err != nil {
		return nil, err
	}
	if a.auditLog, err = audit.OpenWith(ctx, cfg.AuditDBPath(), audit.Options{Instance: cfg.InstanceName(), DatabaseURL: cfg.DatabaseURL}); err != nil {
		return nil, err
	}
	if a.index, err = orders.OpenIndex(ctx, a.adminDB); err != nil {
		return nil, err
	}
	if err := a.connectProvider(ctx); err != nil {
		return nil, err
	}
	a.service = orders.NewService(a.client, a.auditLog, a.index, a.now)
	a.service.SetLogger(a.log)
	if a.intakeStore, err = intake.Open(ctx, a.adminDB); err != nil {
		return nil, err
	}
	return &Indexer{Service: a.service, Intake: a.intakeStore, app: a}, nil
}

// Close closes what OpenIndexer opened.
func (ix *Indexer) Close() error {
	if ix == nil || ix.app == nil {
		return errors.New("indexer: not open")
	}
	if err := ix.app.Close(); err != nil {
		return fmt.Errorf("indexer: %w", err)
	}
	return nil
}
