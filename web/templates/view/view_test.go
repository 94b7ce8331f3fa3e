package view

import (
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// Fixtures shared by the package's tests of the order page and its parts.
var (
	testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	berlin  = mustZone("Europe/Berlin")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// fromOrder is FromOrder with the choices the order page's handler makes:
// the pipeline's rules for p at now.
func fromOrder(o *omclient.Order, p omclient.Provider, now time.Time, loc *time.Location, numbers string) OrderView {
	ch := OrderChoices{Actions: orders.Actions(o, p, now), Refundable: orders.Refundable(o)}
	for i := range o.Captures {
		ch.CaptureActions = append(ch.CaptureActions, orders.CaptureActions(o, &o.Captures[i], p, now))
	}
	return FromOrder(o, p, ch, now, loc, numbers)
}

func sampleOrder() *omclient.Order {
	return &omclient.Order{
		OrderID: "0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11", Status: omclient.StatusPartCaptured, FraudStatus: omclient.FraudAccepted,
		OrderAmount: 149970, OriginalOrderAmount: 159970, CapturedAmount: 100000, RefundedAmount: 25000,
		RemainingAuthorizedAmount: 49970, PurchaseCurrency: "SEK", PurchaseCountry: "se", Locale: "sv-SE",
		KlarnaReference: "K4MADNY", MerchantReference1: "ORDER-1001",
		CreatedAt: omclient.Time{Time: testNow.Add(-20 * 24 * time.Hour)},
		ExpiresAt: omclient.Time{Time: testNow.Add(2*24*time.Hour + 3*time.Hour)},
		OrderLines: []omclient.OrderLine{
			{Type: "physical", Reference: "SKU-1", Name: "Kettle", Quantity: 2, QuantityUnit: "pcs", UnitPrice: 59990, TaxRate: 2500,
				TotalAmount: 119980, TotalTaxAmount: 23996},
			{Type: "shipping_fee", Name: "Shipping", Quantity: 1, UnitPrice: 29990, TaxRate: 1250, TotalAmount: 29990, TotalTaxAmount: 3332},
		},
		BillingAddress: &omclient.Address{GivenName: "Anna", FamilyName: "Svensson", StreetAddress: "Storgatan 1", PostalCode: "11122",
			City: "Stockholm", Country: "se", Email: "anna@example.com", Phone: "+46701234567"},
		Customer:             &omclient.Customer{DateOfBirth: "1980-01-02", NationalIdentificationNumber: "198001021234"},
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE", Description: "Pay later"},
		ShippingInfo: []omclient.ShippingInfo{
			{ShippingCompany: "PostNord", ShippingMethod: "Home", TrackingNumber: "123", TrackingURI: "https://track.example/123"},
			{ShippingCompany: "Evil", TrackingURI: "javascript:alert(1)", ReturnTrackingURI: "//no-scheme.example"},
		},
		Captures: []omclient.Capture{{CaptureID: "cap-1", KlarnaReference: "K4MADNY-1", CapturedAmount: 100000, RefundedAmount: 25000,
			CapturedAt: omclient.Time{Time: testNow.Add(-24 * time.Hour)}}},
		Refunds: []omclient.Refund{{RefundID: "ref-1", RefundedAmount: 25000, Description: "Broken lid",
			RefundedAt: omclient.Time{Time: testNow.Add(-time.Hour)}}},
	}
}
