package omsim

import (
	"time"

	"ordercare/internal/omclient"
)

// DemoOrders returns the demo orders a sandbox seeded at now would hold.
// Their ids, references and lines do not depend on now (only their times
// do), so a shop sandbox started on its own can build the shop side of
// the same orders.
func DemoOrders(now time.Time, provider omclient.Provider) ([]omclient.Order, error) {
	recs, err := demoRecords(now, provider)
	if err != nil {
		return nil, err
	}
	out := make([]omclient.Order, len(recs))
	for i, r := range recs {
		out[i] = r.Order
	}
	return out, nil
}
