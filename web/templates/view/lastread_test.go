package view

import (
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// Agents see how fresh an index row is, and that the order page is a
// fresh read.
func TestLastRead(t *testing.T) {
	t.Parallel()
	read := time.Date(2026, 3, 2, 13, 5, 0, 0, time.UTC)
	if r := Row(orders.IndexedOrder{OrderID: "x", LastReadAt: read}, time.UTC, ""); r.LastRead.Text != "2 Mar 2026, 13:05 UTC" {
		t.Errorf("search row last read %q", r.LastRead.Text)
	}
	if r := Row(orders.IndexedOrder{OrderID: "x"}, time.UTC, ""); r.LastRead.Text != "" {
		t.Errorf("never read shows %q", r.LastRead.Text)
	}
	v := fromOrder(&omclient.Order{OrderID: "x"}, omclient.ProviderKustom, read, time.UTC, "")
	if v.Header.ReadAt.Text != "2 Mar 2026, 13:05 UTC" {
		t.Errorf("order page read at %q", v.Header.ReadAt.Text)
	}
}
