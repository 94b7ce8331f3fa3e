package view

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

func TestBuildHistoryMergesNewestFirst(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	o := &omclient.Order{OrderID: "o1", PurchaseCurrency: "EUR", Locale: "en-GB",
		Captures: []omclient.Capture{
			{CaptureID: "cap-ours", CapturedAmount: 1000, CapturedAt: omclient.Time{Time: t0.Add(time.Minute)}},
			{CaptureID: "cap-portal", CapturedAmount: 500, CapturedAt: omclient.Time{Time: t0.Add(2 * time.Hour)}, KlarnaReference: "K-2"},
		},
		Refunds: []omclient.Refund{{RefundID: "ref-shop", RefundedAmount: 200, RefundedAt: omclient.Time{Time: t0.Add(3 * time.Hour)}}},
	}
	ok := &audit.Event{Kind: audit.KindCompleted, Outcome: audit.OutcomeSucceeded, ResourceID: "cap-ours"}
	refused := &audit.Event{Kind: audit.KindCompleted, Outcome: audit.OutcomeRefused, ErrorCode: "REFUND_NOT_ALLOWED"}
	attempts := []audit.Attempt{ // newest first, as OrderAttempts returns them
		{AttemptID: "a2", Requested: audit.Event{Time: t0.Add(time.Hour), Action: "create_refund", Actor: audit.Actor{Email: "sup@example.com"},
			Request: json.RawMessage(`{"refunded_amount":5000}`), Reason: "customer asked"}, Completed: refused},
		{AttemptID: "a1", Requested: audit.Event{Time: t0, Action: "create_capture", Actor: audit.Actor{Email: "agent@example.com"},
			Request: json.RawMessage(`{"captured_amount":1000}`)}, Completed: ok},
	}
	items := BuildHistory(o, attempts, time.UTC, true, "en-GB")
	var got []string
	for _, it := range items {
		got = append(got, it.Source+": "+it.Title)
	}
	want := []string{
		"provider: Refund €2.00 made outside ordercare",
		"provider: Capture €5.00 made outside ordercare",
		"ordercare: Refund €50.00",
		"ordercare: Capture €10.00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("history:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if items[2].Outcome.Text != "Refused" || !strings.Contains(items[2].Detail, "REFUND_NOT_ALLOWED") || items[2].Staff != "sup@example.com" || items[2].Href != "/audit/attempts/a2" {
		t.Fatalf("refused attempt = %+v", items[2])
	}
	if items[3].ResourceID != "cap-ours" {
		t.Fatalf("the capture made through ordercare must show on its attempt: %+v", items[3])
	}
	for _, it := range BuildHistory(o, attempts, time.UTC, false, "en-GB") {
		if it.Href != "" {
			t.Fatalf("link for a viewer without the audit trail: %+v", it)
		}
	}
	if len(BuildHistory(nil, nil, nil, true, "")) != 0 {
		t.Fatal("empty history")
	}
}

// BuildHistory is BuildSettledHistory before any check has settled an
// unknown outcome: the timeline the tests build from attempts alone.
func BuildHistory(o *omclient.Order, attempts []audit.Attempt, loc *time.Location, linkAudit bool, numbers string) []HistoryItem {
	return BuildSettledHistory(o, attempts, nil, loc, linkAudit, numbers)
}
