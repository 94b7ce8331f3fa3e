// Package metrics holds the back office's Prometheus metrics: a registry
// of its own (never the global default, so a library cannot add series
// and tests can build as many as they like), the HTTP middleware, the
// provider transport, the audit log observer and the gauges read at scrape
// time. Labels hold route names, operation names and outcome classes only:
// never a path, an order id, an e-mail or anything a customer typed.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// InstanceLabel names the instance on every series. Not "instance":
// Prometheus sets that label itself to the scraped address, and would
// rename ours to exported_instance.
const InstanceLabel = "ordercare_instance"

// Metrics is one registry and the collectors the back office updates.
type Metrics struct {
	reg *prometheus.Registry
	// wrapped adds the instance label to everything registered through it.
	wrapped prometheus.Registerer

	httpRequests     *prometheus.CounterVec
	httpSeconds      *prometheus.HistogramVec
	providerCalls    *prometheus.CounterVec
	providerSeconds  *prometheus.HistogramVec
	auditAppendSecs  *prometheus.HistogramVec
	auditCommitSize  prometheus.Histogram
	auditCommitSecs  prometheus.Histogram
	auditCommitFails prometheus.Counter
	auditSyncSecs    *prometheus.HistogramVec
}

// New builds the registry with the Go runtime and process collectors;
// instance is the constant label of every series.
func New(instance string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg, wrapped: prometheus.WrapRegistererWith(prometheus.Labels{InstanceLabel: instance}, reg)}
	m.wrapped.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ordercare_http_requests_total",
		Help: "HTTP requests answered, by route name (the routes table's, never the path) and status class.",
	}, []string{"route", "code"})
	m.httpSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ordercare_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route name.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	m.providerCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ordercare_provider_calls_total",
		Help: "HTTP requests to the payment provider's Order Management API, by operation and outcome (2xx, 4xx, 5xx or error: no answer).",
	}, []string{"operation", "outcome"})
	m.providerSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ordercare_provider_call_duration_seconds",
		Help:    "Time until the provider's response headers, by operation.",
		Buckets: prometheus.DefBuckets,
	}, []string{"operation"})
	m.auditAppendSecs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "ordercare_audit_append_duration_seconds",
		Help: "Time an audit append waits for its group commit, and for the sync to disk unless the event may wait for it (a change's outcome), by outcome (ok or error).",
		// Commits are an fsync or a few: from 100 µs to seconds.
		Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12),
	}, []string{"outcome"})
	m.auditCommitSize = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "ordercare_audit_commit_events",
		Help:    "Events per audit group commit (batch size).",
		Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256},
	})
	m.auditCommitSecs = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "ordercare_audit_commit_duration_seconds",
		Help:    "Time of one audit group commit, without its sync to disk (ordercare_audit_sync_duration_seconds) on SQLite.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12),
	})
	m.auditCommitFails = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "ordercare_audit_commit_failures_total",
		Help: "Audit group commits that failed (every event of the batch was refused).",
	})
	m.auditSyncSecs = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "ordercare_audit_sync_duration_seconds",
		Help:    "Time of one sync of the audit log's committed events to disk (an fdatasync of its WAL on SQLite), by outcome (ok or error).",
		Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 12),
	}, []string{"outcome"})
	m.wrapped.MustRegister(m.httpRequests, m.httpSeconds, m.providerCalls, m.providerSeconds,
		m.auditAppendSecs, m.auditCommitSize, m.auditCommitSecs, m.auditCommitFails, m.auditSyncSecs)
	return m
}

// Handler serves the exposition. It does no authentication: the caller
// checks the token. A gauge whose query fails is left out of that scrape
// rather than failing all of it: the runtime and request series matter
// most when the database does not answer.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}
