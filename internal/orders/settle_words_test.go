package orders

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// A check that finds a lost cancellation not applied says the order's
// status in words, as the order page does, not the provider's code.
func TestSettledCancelNamesTheStatusInWords(t *testing.T) {
	at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	a := audit.Attempt{AttemptID: "a1", Requested: audit.Event{Time: at, Action: string(omclient.OpCancel)}}
	o := &omclient.Order{OrderID: "o1", Status: omclient.StatusPartCaptured, PurchaseCurrency: "EUR"}
	st := judge(a, o, nil, at.Add(SettleGrace+time.Minute))
	if st.Outcome != audit.SettledNotApplied || !strings.Contains(st.Why, "the order part captured, not cancelled") || strings.Contains(st.Why, "PART_CAPTURED") {
		t.Fatalf("settled %s: %q", st.Outcome, st.Why)
	}
}
