package metrics

import (
	"time"

	"ordercare/internal/audit"
)

// AuditObserver is the audit.Observer that feeds the audit metrics;
// install it with audit.Log.SetObserver.
func (m *Metrics) AuditObserver() audit.Observer { return auditObserver{m} }

type auditObserver struct{ m *Metrics }

func (o auditObserver) Appended(wait time.Duration, err error) {
	o.m.auditAppendSecs.WithLabelValues(okOrError(err)).Observe(wait.Seconds())
}

func (o auditObserver) Committed(events int, took time.Duration, err error) {
	if err != nil {
		o.m.auditCommitFails.Inc()
		return
	}
	o.m.auditCommitSize.Observe(float64(events))
	o.m.auditCommitSecs.Observe(took.Seconds())
}

// Synced hears of the syncs to disk behind the commits (audit.SyncObserver).
func (o auditObserver) Synced(took time.Duration, err error) {
	o.m.auditSyncSecs.WithLabelValues(okOrError(err)).Observe(took.Seconds())
}

func okOrError(err error) string {
	if err != nil {
		return "error"
	}
	return "ok"
}
