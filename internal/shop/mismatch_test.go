package shop

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

var now = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func payment() *omclient.Order {
	return &omclient.Order{OrderID: "p", Status: omclient.StatusAuthorized, PurchaseCurrency: "EUR", OrderAmount: 4990,
		RemainingAuthorizedAmount: 4990, ExpiresAt: omclient.Time{Time: now.Add(3*24*time.Hour + time.Hour)},
		ShippingAddress: &omclient.Address{StreetAddress: "Testgatan 10", PostalCode: "574 31", City: "Vetlanda", Country: "SE"}}
}

func twin() *Twin {
	return &Twin{Currency: "EUR", Total: 4990, ShippingAddress: Address{Line1: "testgatan 10", Postcode: "57431", City: "VETLANDA", Country: "se"}}
}

func kinds(ms []Mismatch) string {
	var k []string
	for _, m := range ms {
		k = append(k, m.Kind+"/"+m.Action)
	}
	return strings.Join(k, ",")
}

func TestCompare(t *testing.T) {
	if got := Compare(payment(), twin(), now); len(got) != 0 {
		t.Fatalf("orders in step: %v (case, spacing and punctuation must not count)", got)
	}
	tw := twin()
	tw.Cancelled = true
	if got := kinds(Compare(payment(), tw, now)); got != "cancelled-authorized/cancel" {
		t.Errorf("cancelled in shop: %s", got)
	}
	p := payment()
	p.Status, p.CapturedAmount, p.RemainingAuthorizedAmount = omclient.StatusPartCaptured, 1000, 3990
	if got := kinds(Compare(p, tw, now)); got != "cancelled-authorized/release" {
		t.Errorf("cancelled in shop, part captured: %s", got)
	}
	tw = twin()
	tw.Fulfilled = true
	got := Compare(payment(), tw, now)
	if kinds(got) != "fulfilled-not-captured/capture" || !strings.Contains(got[0].Advice, "expires in 3 days") {
		t.Errorf("fulfilled, not captured: %+v", got)
	}
	tw = twin()
	tw.Total = 5490
	tw.ShippingAddress.Line1 = "Hamngatan 7"
	got = Compare(payment(), tw, now)
	if kinds(got) != "totals/,address/" || !strings.Contains(got[0].Title, "54.90") {
		t.Errorf("totals and address: %+v", got)
	}
	// Once captured, nothing is left to warn about.
	p = payment()
	p.Status, p.RemainingAuthorizedAmount = omclient.StatusCaptured, 0
	if got := Compare(p, tw, now); len(got) != 0 {
		t.Errorf("captured order: %v", got)
	}
}
