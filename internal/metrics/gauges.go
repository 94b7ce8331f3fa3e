package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// scrapeTimeout bounds the queries a scrape makes.
const scrapeTimeout = 2 * time.Second

// OutboxCounter is what the outbox backlog gauge reads at scrape time.
type OutboxCounter interface {
	// Backlog returns the deliveries waiting (never tried, retrying) and
	// given up.
	Backlog(ctx context.Context) (pending, retrying, failed int, err error)
}

// ApprovalCounter is what the approvals gauge reads at scrape time.
type ApprovalCounter interface {
	PendingCount(ctx context.Context) (int, error)
}

// BulkCounter is what the bulk-job gauge reads at scrape time.
type BulkCounter interface {
	// Progress counts the running jobs' orders by state.
	Progress(ctx context.Context) (map[string]int, error)
}

// WatchBulk adds ordercare_bulk_job_orders, read at each scrape: one
// series per state in states, 0 when no order stands there.
func (m *Metrics) WatchBulk(b BulkCounter, states []string) {
	desc := prometheus.NewDesc("ordercare_bulk_job_orders",
		"Orders of the bulk jobs still running, by state (pending and in_flight: left to do; sent, refused, held, unknown: outcomes).",
		[]string{"state"}, nil)
	m.wrapped.MustRegister(scrapeCollector{desc: desc, collect: func(ctx context.Context, ch chan<- prometheus.Metric) error {
		counts, err := b.Progress(ctx)
		if err != nil {
			return err
		}
		for _, st := range states {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(counts[st]), st)
		}
		return nil
	}})
}

// WatchOutbox adds ordercare_outbox_backlog, read at each scrape.
func (m *Metrics) WatchOutbox(o OutboxCounter) {
	desc := prometheus.NewDesc("ordercare_outbox_backlog",
		"Outbound event deliveries not delivered, by state (pending: never tried, retrying, failed: given up).",
		[]string{"state"}, nil)
	m.wrapped.MustRegister(scrapeCollector{desc: desc, collect: func(ctx context.Context, ch chan<- prometheus.Metric) error {
		pending, retrying, failed, err := o.Backlog(ctx)
		if err != nil {
			return err
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(pending), "pending")
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(retrying), "retrying")
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(failed), "failed")
		return nil
	}})
}

// WatchApprovals adds ordercare_approvals_waiting, read at each scrape.
func (m *Metrics) WatchApprovals(a ApprovalCounter) {
	desc := prometheus.NewDesc("ordercare_approvals_waiting",
		"Approval requests waiting for a decision (not expired).", nil, nil)
	m.wrapped.MustRegister(scrapeCollector{desc: desc, collect: func(ctx context.Context, ch chan<- prometheus.Metric) error {
		n, err := a.PendingCount(ctx)
		if err != nil {
			return err
		}
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, float64(n))
		return nil
	}})
}

// scrapeCollector computes its series when scraped. A failed query
// becomes an invalid metric, so the scrape reports the error instead of a
// stale or zero value.
type scrapeCollector struct {
	desc    *prometheus.Desc
	collect func(ctx context.Context, ch chan<- prometheus.Metric) error
}

func (s scrapeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- s.desc }

func (s scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if err := s.collect(ctx, ch); err != nil {
		ch <- prometheus.NewInvalidMetric(s.desc, err)
	}
}
