package orders

import (
	"context"
	"testing"

	"ordercare/internal/audit"
)

// BenchmarkCheckIntent is the intent checks' own cost per change (no
// provider call: the order is the one Apply has just read), on an order
// with a history of ten captures and refunds, an approval step and a
// settled check: what the checks add to every capture and refund.
func BenchmarkCheckIntent(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b)
	id := e.newOrder(b)
	for i := range 5 {
		if res, err := e.svc.Apply(ctx, agent, capture(id, int64(100+i))); err != nil || res.Outcome != audit.OutcomeSucceeded {
			b.Fatalf("capture: %+v %v", res, err)
		}
	}
	for i := range 5 {
		if res, err := e.svc.Apply(ctx, agent, refund(id, int64(10+i))); err != nil || res.Outcome != audit.OutcomeSucceeded {
			b.Fatalf("refund: %+v %v", res, err)
		}
	}
	o, err := e.svc.GetOrder(ctx, id)
	if err != nil {
		b.Fatal(err)
	}
	ch := refund(id, 7)
	b.ResetTimer()
	for b.Loop() {
		if err := e.svc.CheckIntent(ctx, o, ch); err != nil {
			b.Fatal(err)
		}
	}
}
