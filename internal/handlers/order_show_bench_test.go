package handlers_test

import (
	"io"
	"net/http"
	"testing"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// BenchmarkOrderPage is one signed-in agent opening an order page again
// and again, through echo and the whole stack of the order-page tests:
// session and staff reads, the sandbox over loopback HTTP with no added
// latency, the order's audit history, templ and gzip. The client and the
// sandbox run in the same process, so ns/op and allocs/op hold their
// share too; what it gives without the load program's noise is a
// per-page figure to compare across changes (docs/PERFORMANCE.md,
// section 2). Run it with -benchmem.
func BenchmarkOrderPage(b *testing.B) {
	a := newOrdersApp(b, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.demoOrder(func(o *omclient.Order) bool { return len(o.OrderLines) > 1 })
	url := a.srv.URL + "/orders/" + o.OrderID
	var size int64
	for b.Loop() {
		resp, err := ag.Client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		size, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("order page: %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(size), "html-bytes")
}
