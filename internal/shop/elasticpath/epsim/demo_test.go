package epsim_test

import (
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

// The demo shop orders are the payment sandbox's demo orders seen from the
// shop, found by order number, with four deliberately out of step.
func TestDemoTwinsAndOutOfStep(t *testing.T) {
	e := newEnv(t, nil)
	pay, err := omsim.DemoOrders(time.Now(), omclient.ProviderKustom)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.sb.Seed(pay); err != nil {
		t.Fatal(err)
	}
	byID := map[string]omclient.Order{}
	for _, o := range pay {
		byID[o.OrderID] = o
	}
	oos := e.sb.OutOfStep()
	if len(oos) != 4 {
		t.Fatalf("out-of-step orders = %v, want 4", oos)
	}
	check := func(sc epsim.Scenario, ok func(p omclient.Order, s *ep.Order) bool) {
		t.Helper()
		p := byID[oos[sc]]
		found, err := e.client.FindByNumber(ctx(t), string(p.MerchantReference1))
		if err != nil || len(found) != 1 {
			t.Fatalf("%s: find %s = %v, %v", sc, p.MerchantReference1, found, err)
		}
		s := found[0]
		if s.ExternalRef != p.OrderID || p.Status != omclient.StatusAuthorized || !ok(p, &s) {
			t.Errorf("%s: payment %s %d, shop %+v", sc, p.Status, p.OrderAmount, s)
		}
	}
	check(epsim.CancelledStillAuthorized, func(_ omclient.Order, s *ep.Order) bool { return s.Status == ep.StatusCancelled })
	check(epsim.FulfilledNotCaptured, func(_ omclient.Order, s *ep.Order) bool { return s.Shipping == ep.ShippingFulfilled })
	check(epsim.TotalsDiffer, func(p omclient.Order, s *ep.Order) bool { return int64(s.Total().Amount) == p.OrderAmount+500 })
	check(epsim.AddressDiffers, func(p omclient.Order, s *ep.Order) bool {
		return s.ShippingAddress.Line1 != string(p.ShippingAddress.StreetAddress)
	})
	// An order in step has the same total and address.
	for _, p := range pay {
		if p.Status != omclient.StatusCaptured {
			continue
		}
		s, err := e.client.GetOrder(ctx(t), epsim.ShopID(p.OrderID))
		if err != nil {
			t.Fatal(err)
		}
		if int64(s.Total().Amount) != p.OrderAmount || s.Shipping != ep.ShippingFulfilled || s.Payment != ep.PaymentPaid {
			t.Fatalf("captured order's twin %+v, payment amount %d", s, p.OrderAmount)
		}
		break
	}
}
