package view

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// TestTwinIntentNamesTheEarlierChange: the confirmation names the earlier
// refund (amount, who, when, where it stands) and asks for another of the
// same amount, in the order's locale.
func TestTwinIntentNamesTheEarlierChange(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e := &orders.TwinError{Op: omclient.OpCreateRefund, Amount: 25000, Currency: "EUR", Token: "c1-x",
		Twins: []orders.PriorChange{{Op: omclient.OpCreateRefund, Amount: 25000, Currency: "EUR", By: "agent@example.com",
			At: now.Add(-3 * time.Minute), State: orders.PriorSucceeded, AttemptID: "a1"}}}
	in := TwinIntent(e, "de-DE", now, time.UTC)
	if len(in.Lines) != 1 || in.Lines[0] != "A refund of 250,00\u00a0€ by agent@example.com 3 minutes ago (made)." {
		t.Fatalf("lines = %q", in.Lines)
	}
	if in.Label != "Refund another 250,00\u00a0€?" || in.Token != "c1-x" {
		t.Fatalf("label %q, token %q", in.Label, in.Token)
	}
	// A request waiting for approval says so.
	e.Twins[0].AttemptID, e.Twins[0].ApprovalID, e.Twins[0].State = "", "r1", orders.PriorPending
	if l := TwinIntent(e, "de-DE", now, time.UTC).Lines[0]; !strings.Contains(l, "requested by agent@example.com") || !strings.Contains(l, "waiting for approval") {
		t.Fatalf("request line %q", l)
	}
}

// TestUnsettledIntentOffersNoConfirmation: an unknown outcome cannot be
// confirmed away, only checked.
func TestUnsettledIntentOffersNoConfirmation(t *testing.T) {
	now := time.Now()
	in := UnsettledIntent(&orders.UnsettledError{Prior: orders.PriorChange{Op: omclient.OpCreateRefund, Amount: 4000, Currency: "EUR",
		By: "agent@example.com", At: now, State: orders.PriorUnknown, AttemptID: "a1"}}, "/orders/x", "de-DE", now, time.UTC)
	if in.Token != "" || in.CheckHref != "/orders/x#unsettled" || !strings.Contains(in.Lines[0], "40,00") || !strings.Contains(in.Lines[0], "just now") {
		t.Fatalf("intent = %+v", in)
	}
}
