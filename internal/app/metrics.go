package app

import (
	"context"

	"ordercare/internal/bulk"
	"ordercare/internal/metrics"
	"ordercare/internal/outbox"
)

// startMetrics builds the Prometheus registry when /metrics is configured
// (a token is set); without one nothing is counted.
func (a *App) startMetrics() {
	if a.cfg.Metrics.Token != "" {
		a.metrics = metrics.New(a.cfg.InstanceName())
	}
}

// watchMetrics connects the metrics to what is open by now: the audit
// log's appends and commits, and the gauges read at scrape time.
func (a *App) watchMetrics() {
	if a.metrics == nil {
		return
	}
	a.auditLog.SetObserver(a.metrics.AuditObserver())
	a.metrics.WatchApprovals(a.approvals)
	states := make([]string, len(bulk.States))
	for i, st := range bulk.States {
		states[i] = string(st)
	}
	a.metrics.WatchBulk(bulkProgress{a.bulk}, states)
	if a.outbox != nil {
		a.metrics.WatchOutbox(outboxBacklog{a.outbox})
	}
}

// outboxBacklog reads the outbox's counts as the backlog gauge wants them.
type outboxBacklog struct{ o *outbox.Outbox }

func (b outboxBacklog) Backlog(ctx context.Context) (pending, retrying, failed int, err error) {
	c, err := b.o.Counts(ctx)
	return c.Pending, c.Failing, c.Failed, err
}

// bulkProgress reads the bulk jobs' counts as the gauge wants them.
type bulkProgress struct{ b *bulk.Service }

func (p bulkProgress) Progress(ctx context.Context) (map[string]int, error) {
	c, err := p.b.Progress(ctx)
	out := make(map[string]int, len(c))
	for st, n := range c {
		out[string(st)] = n
	}
	return out, err
}
