package orders

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ordercare/internal/db"
)

// BenchmarkShopMismatches times the start page's "out of step with the
// shop" list over an index of shopBenchOrders orders, a third of them
// with a twin snapshot (cancelled or fulfilled in step with the payment
// order, as most are) and one open order in a hundred out of step: the
// list reads only the flagged twins (order_shop_flagged), so its cost
// follows their number, not the number of orders or twins.
//
//	go test -run '^$' -bench ShopMismatches -benchtime 200x ./internal/orders/
func BenchmarkShopMismatches(b *testing.B) {
	const shopBenchOrders = 200_000
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(b.TempDir(), "admin.db"), db.SyncNormal)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	ix, err := OpenIndex(ctx, d)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ix.Close() })
	// The newest orders of the search benchmark's merchant: the last
	// month's are still authorized.
	gen := newOrderGen()
	for start := benchOrders - shopBenchOrders; start < benchOrders; start += 20_000 {
		if err := writeBatch(ctx, d, gen, start, 20_000); err != nil {
			b.Fatal(err)
		}
	}
	// Every third order has a twin, in step as most are: cancelled in the
	// shop when cancelled here, fulfilled when captured. One open order
	// in a hundred is out of step.
	if _, err := d.W.ExecContext(ctx, `INSERT INTO order_shop (order_id, shop_order_id, cancelled, fulfilled, address_differs, flagged, read_at)
		SELECT order_id, 'shop-' || order_id, status = 'CANCELLED' OR (open AND rowid % 300 = 0),
			status IN ('CAPTURED', 'CLOSED') OR (open AND rowid % 300 = 3), open AND rowid % 300 = 6,
			open AND rowid % 100 = 0, '2026-12-01T00:00:00.000000000Z'
		FROM (SELECT rowid, order_id, status, status IN ('AUTHORIZED', 'PART_CAPTURED') AS open FROM order_index) WHERE rowid % 3 = 0`); err != nil {
		b.Fatal(err)
	}
	if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var n int
	b.ResetTimer()
	for b.Loop() {
		ms, err := ix.ShopMismatches(ctx, benchNow, 7*24*time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		n = len(ms)
	}
	b.ReportMetric(float64(n), "listed")
}
