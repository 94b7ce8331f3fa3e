package orders

import (
	"maps"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

func TestTouchedNamesTheValuesEachChangeAffects(t *testing.T) {
	t.Parallel()
	o := &omclient.Order{
		Status: omclient.StatusPartCaptured, OrderAmount: 14997, CapturedAmount: 5000, RefundedAmount: 1250,
		RemainingAuthorizedAmount: 9997, PurchaseCurrency: "EUR",
		OrderLines:         make([]omclient.OrderLine, 3),
		MerchantReference1: "SHOP-1",
		ExpiresAt:          omclient.Time{Time: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
		ShippingAddress:    &omclient.Address{City: "Berlin", PostalCode: "10115"},
		Captures:           []omclient.Capture{{CaptureID: "c1", ShippingInfo: make([]omclient.ShippingInfo, 2)}},
		Refunds:            make([]omclient.Refund, 1),
		ShippingInfo:       make([]omclient.ShippingInfo, 1),
	}
	jpy := *o
	jpy.PurchaseCurrency, jpy.OrderAmount, jpy.RemainingAuthorizedAmount = "JPY", 1500, 1500
	cases := []struct {
		op        omclient.Operation
		order     *omclient.Order
		captureID string
		want      map[string]string // a subset that must be present
	}{
		{omclient.OpUpdateAuthorization, o, "", map[string]string{"order_amount": "149.97 EUR", "remaining_authorized_amount": "99.97 EUR", "order_lines": "3", "status": "PART_CAPTURED"}},
		{omclient.OpUpdateAuthorization, &jpy, "", map[string]string{"order_amount": "1500 JPY"}},
		{omclient.OpCreateCapture, o, "", map[string]string{"captured_amount": "50.00 EUR", "captures": "1"}},
		{omclient.OpCreateRefund, o, "", map[string]string{"refunded_amount": "12.50 EUR", "refunds": "1"}},
		{omclient.OpCancel, o, "", map[string]string{"status": "PART_CAPTURED"}},
		{omclient.OpReleaseRemaining, o, "", map[string]string{"remaining_authorized_amount": "99.97 EUR"}},
		{omclient.OpUpdateCustomerDetails, o, "", map[string]string{"shipping_address.city": "Berlin", "shipping_address.postal_code": "10115", "shipping_address.street_address": ""}},
		{omclient.OpUpdateMerchantReferences, o, "", map[string]string{"merchant_reference1": "SHOP-1", "merchant_reference2": ""}},
		{omclient.OpExtendAuthorizationTime, o, "", map[string]string{"expires_at": "2026-12-01T10:00:00Z"}},
		{omclient.OpAddOrderShippingInfo, o, "", map[string]string{"shipping_info": "1"}},
		{omclient.OpAddCaptureShippingInfo, o, "c1", map[string]string{"captures[c1].shipping_info": "2"}},
	}
	for _, tc := range cases {
		got := touched(tc.op, tc.order, tc.captureID)
		for k, v := range tc.want {
			if g, ok := got[k]; !ok || g != v {
				t.Errorf("touched(%s)[%q] = %q (present %v), want %q; all: %v", tc.op, k, g, ok, v, got)
			}
		}
	}
	if got := touched(omclient.OpTriggerSendOut, o, "c1"); got != nil {
		t.Errorf("trigger send-out touches %v, want nothing", got)
	}
	if got := touched(omclient.OpCreateCapture, nil, ""); got != nil {
		t.Errorf("nil order: %v", got)
	}
	// Before and after of an address change differ only where it changed.
	after := *o
	after.ShippingAddress = &omclient.Address{City: "Hamburg", PostalCode: "10115"}
	b, a := touched(omclient.OpUpdateCustomerDetails, o, ""), touched(omclient.OpUpdateCustomerDetails, &after, "")
	diff := 0
	for k := range maps.Keys(b) {
		if b[k] != a[k] {
			diff++
		}
	}
	if diff != 1 || a["shipping_address.city"] != "Hamburg" {
		t.Errorf("address change differs in %d values, want 1 (city)", diff)
	}
}
