package metrics

import (
	"context"
	"errors"
	"strings"
	"testing"
)

type fakeOutbox struct{ err error }

func (f fakeOutbox) Backlog(context.Context) (int, int, int, error) { return 3, 2, 1, f.err }

type fakeApprovals struct{ n int }

func (f fakeApprovals) PendingCount(context.Context) (int, error) { return f.n, nil }

// The gauges are read at each scrape; one whose query fails is left out
// and the rest of the scrape is still served.
func TestScrapeTimeGauges(t *testing.T) {
	t.Parallel()
	m := New("web-1")
	m.WatchOutbox(fakeOutbox{})
	approvals := &fakeApprovals{n: 4}
	m.WatchApprovals(approvals)
	out := expose(t, m)
	for _, want := range []string{
		`ordercare_outbox_backlog{ordercare_instance="web-1",state="pending"} 3`,
		`ordercare_outbox_backlog{ordercare_instance="web-1",state="retrying"} 2`,
		`ordercare_outbox_backlog{ordercare_instance="web-1",state="failed"} 1`,
		`ordercare_approvals_waiting{ordercare_instance="web-1"} 4`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	approvals.n = 0
	if out := expose(t, m); !strings.Contains(out, `ordercare_approvals_waiting{ordercare_instance="web-1"} 0`) {
		t.Error("the gauge was not read again at the next scrape")
	}

	broken := New("web-1")
	broken.WatchOutbox(fakeOutbox{err: errors.New("database is locked")})
	broken.WatchApprovals(fakeApprovals{n: 1})
	out = expose(t, broken)
	if strings.Contains(out, "ordercare_outbox_backlog{") || !strings.Contains(out, `ordercare_approvals_waiting{ordercare_instance="web-1"} 1`) {
		t.Errorf("a failing gauge: %s", out)
	}
}

type fakeBulk map[string]int

func (f fakeBulk) Progress(context.Context) (map[string]int, error) { return f, nil }

// The bulk-job gauge names each state of the running jobs' orders, the
// states with none at 0, so a graph of "left to do" has no gaps.
func TestBulkProgressGauge(t *testing.T) {
	t.Parallel()
	m := New("web-1")
	m.WatchBulk(fakeBulk{"pending": 7, "sent": 2}, []string{"pending", "in_flight", "sent"})
	out := expose(t, m)
	for _, want := range []string{
		`ordercare_bulk_job_orders{ordercare_instance="web-1",state="pending"} 7`,
		`ordercare_bulk_job_orders{ordercare_instance="web-1",state="in_flight"} 0`,
		`ordercare_bulk_job_orders{ordercare_instance="web-1",state="sent"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %s:\n%s", want, out)
		}
	}
}
