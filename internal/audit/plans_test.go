package audit

import (
	"strings"
	"testing"

	"ordercare/internal/db/dbtest"
)

// TestLookupsUseTheirIndexes keeps the plans of the lookups the order
// page and every order change run: each must search its own index, not
// read every event of a kind (over 1,000,000 events that took 1.2 s per
// lookup, and a start's recovery did not finish; BenchmarkLookups,
// BenchmarkRecoverOpenAttempts).
func TestLookupsUseTheirIndexes(t *testing.T) {
	t.Parallel()
	l, _ := openTest(t)
	for _, tc := range []struct {
		name, sql, index string
		args             []any
	}{
		{"attempt", attemptsSQL(byAttempt), "events_attempt", []any{"a"}},
		{"idempotency key", attemptsSQL(byKey), "events_idempotency", []any{"k"}},
		{"order's attempts", attemptsSQL(byOrder), "events_order", []any{"o"}},
		{"order's approvals", eventsSQL(approvalsWhere), "events_order", []any{"o"}},
		{"order's notes", eventsSQL(notesWhere), "events_order", []any{"o"}},
		{"staff changes of a month", eventsSQL(staffSinceWhere), "events_kind", []any{"2026-01-01"}},
		{"attempt's reviews", eventsSQL(reviewsWhere), "events_attempt", []any{"a"}},
		{"order's settlements", eventsSQL(settlementsWhere), "events_order", []any{"o"}},
		{"order's follow-ups", eventsSQL(followUpsWhere), "events_order", []any{"o"}},
		{"order's money records", moneyRecordsSQL, "events_order", []any{"o"}},
		{"open attempts' completed events", openAttemptsSQL, "events_attempt", []any{0, 1}},
	} {
		got := dbtest.QueryPlan(t, l.db.R, tc.sql, tc.args...)
		if !strings.Contains(got, "INDEX "+tc.index+" (") {
			t.Errorf("%s: plan %q does not search %s", tc.name, got, tc.index)
		}
	}
}
