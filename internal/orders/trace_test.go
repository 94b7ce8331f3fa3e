package orders

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
)

// TestTraceMarksEveryPhaseInOrder: a change that goes through records
// the end of each of Apply's phases, one after the other.
func TestTraceMarksEveryPhaseInOrder(t *testing.T) {
	e := newEnv(t)
	id := e.newOrder(t)
	var tr Trace
	ctx := WithTrace(context.Background(), &tr)
	if _, err := e.svc.Apply(ctx, agent, Change{Op: omclient.OpCreateCapture, OrderID: id, IdempotencyKey: uuid.NewString(),
		Body: &omclient.CaptureRequest{CapturedAmount: 1000}}); err != nil {
		t.Fatal(err)
	}
	prev := tr.Start
	if prev.IsZero() {
		t.Fatal("no start recorded")
	}
	for p := range NumPhases {
		end := tr.Ends[p]
		if end.IsZero() || end.Before(prev) {
			t.Fatalf("phase %s: end %v, previous end %v; want one set, not before the previous", p, end, prev)
		}
		prev = end
	}
}
