package orders

import (
	"context"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
)

// BenchmarkUpsertChanged is the write path: an order read after a change
// (a capture), so its row and words are written again, into an index of
// 10,000 orders.
func BenchmarkUpsertChanged(b *testing.B) {
	dbtest.EachB(b, func(b *testing.B, be dbtest.Backend) {
		ctx := context.Background()
		ix := openIndexOn(b, be)
		gen := newOrderGen()
		for i := range 10_000 {
			if err := ix.Upsert(ctx, gen.order(benchOrders-10_000+i), base); err != nil {
				b.Fatal(err)
			}
		}
		o := gen.order(benchOrders - 1)
		seen := base
		statuses := []omclient.Status{omclient.StatusAuthorized, omclient.StatusCaptured}
		i := 0
		for b.Loop() {
			i++
			o.Status, seen = statuses[i%2], seen.Add(time.Second)
			if err := ix.Upsert(ctx, o, seen); err != nil {
				b.Fatal(err)
			}
		}
	})
}
