package orders

import (
	"context"
	"runtime"
	"testing"
)

// BenchmarkEachMillion reads whole lists of the million-order index
// through Each, as the order list's CSV export does, and reports the live
// heap after a collection every 50,000 rows: its peak (peak-heap-MB) stays
// at the start's (start-heap-MB) however many rows have passed, because
// Each hands over one row at a time. Classes: the whole list, a one-letter
// search matching most orders, and a currency.
//
//	go test -run '^$' -bench BenchmarkEachMillion -benchtime 1x ./internal/orders
func BenchmarkEachMillion(b *testing.B) {
	ctx := context.Background()
	ix := openBenchIndex(b)
	for _, tc := range []struct {
		name string
		q    SearchQuery
	}{
		{"list_all", SearchQuery{}},
		{"letter_a", SearchQuery{Q: "a"}},
		{"currency_eur", SearchQuery{Currency: "EUR"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var ms runtime.MemStats
			heap := func() float64 {
				runtime.GC()
				runtime.ReadMemStats(&ms)
				return float64(ms.HeapAlloc) / (1 << 20)
			}
			var rows int
			var start, peak float64
			for b.Loop() {
				rows, start = 0, heap()
				peak = start
				err := ix.Each(ctx, tc.q, func(IndexedOrder) error {
					if rows++; rows%50_000 == 0 {
						peak = max(peak, heap())
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(start, "start-heap-MB")
			b.ReportMetric(peak, "peak-heap-MB")
		})
	}
}
