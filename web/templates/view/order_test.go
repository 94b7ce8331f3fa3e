package view

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

func TestFromOrder(t *testing.T) {
	t.Parallel()
	v := fromOrder(sampleOrder(), omclient.ProviderKlarna, testNow, berlin, "sv-SE")

	checks := []struct{ name, got, want string }{
		{"title", v.Title, "Order K4MADNY"},
		{"provider", v.Provider, "Klarna"},
		{"status", v.Header.Status.Text, "Part captured"},
		{"status class", v.Header.Status.Class, "badge badge-part_captured"},
		{"fraud", v.Header.Fraud.Text, "Fraud check: accepted"},
		{"merchant ref 2 missing", v.Header.MerchantReference2, "–"},
		{"country", v.Header.Country, "Sweden"},
		{"payment method", v.Header.PaymentMethod, "Invoice · Pay later"},
		{"created in agent zone", v.Header.Created.Text, "18 Feb 2026, 13:00 CET"},
		{"expires relative", v.Header.ExpiresRelative, "expires in 2 days"},
		{"current amount", v.Amounts.Current.Text, "1\u00a0499,70\u00a0SEK"},
		{"original amount", v.Amounts.Original.Text, "1\u00a0599,70\u00a0SEK"},
		{"remaining", v.Amounts.Remaining.Text, "499,70\u00a0SEK"},
		{"refundable", v.Amounts.Refundable.Text, "750,00\u00a0SEK"},
		{"line qty", v.Lines.Rows[0].Quantity, "2 pcs"},
		{"line type", v.Lines.Rows[1].Type, "Shipping fee"},
		{"line tax rate", v.Lines.Rows[1].TaxRate, "12.5 %"},
		{"line reference missing", v.Lines.Rows[1].Reference, "–"},
		{"lines total", v.Lines.Total.Text, "1\u00a0499,70\u00a0SEK"},
		{"lines tax", v.Lines.Tax.Text, "273,28\u00a0SEK"},
		{"lines mismatch", v.Lines.Mismatch, ""},
		{"billing name", v.Billing.Lines[0], "Anna Svensson"},
		{"billing city", v.Billing.Lines[2], "11122 Stockholm"},
		{"billing country", v.Billing.Lines[3], "Sweden"},
		{"national id masked", v.Customer[1].Value, "••••••••1234"},
		{"safe tracking link", v.ShippingInfo[0].TrackingHref, "https://track.example/123"},
		{"javascript link is text", v.ShippingInfo[1].TrackingHref, ""},
		{"javascript link text", v.ShippingInfo[1].TrackingText, "javascript:alert(1)"},
		{"scheme-less link is text", v.ShippingInfo[1].ReturnTrackingHref, ""},
		{"capture amount", v.Captures[0].Amount.Text, "1\u00a0000,00\u00a0SEK"},
		{"capture refunded", v.Captures[0].Refunded.Text, "250,00\u00a0SEK"},
		{"refund description", v.Refunds[0].Description, "Broken lid"},
		{"refund time", v.Refunds[0].Time.Text, "10 Mar 2026, 12:00 CET"},
		{"refund time iso", v.Refunds[0].Time.ISO, "2026-03-10T11:00:00Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if !v.Header.ExpiresSoon {
		t.Error("an authorization expiring in 2 days is not flagged")
	}
	if v.Shipping.Empty() != true {
		t.Error("missing shipping address should be Empty")
	}
	if strings.Contains(fmt.Sprint(v), "198001021234") {
		t.Error("the full national identity number reaches the view")
	}
}

func TestFromOrderActions(t *testing.T) {
	t.Parallel()
	v := fromOrder(sampleOrder(), omclient.ProviderKlarna, testNow, time.UTC, "sv-SE")
	byOp := map[string]ActionView{}
	for _, a := range v.Actions {
		byOp[a.Op] = a
	}
	cancel := byOp[string(omclient.OpCancel)]
	if cancel.Allowed || cancel.Href != "" || cancel.Reason != "Cancel: not possible, the order has captures" {
		t.Errorf("cancel on a part-captured order = %+v", cancel)
	}
	capture := byOp[string(omclient.OpCreateCapture)]
	if !capture.Allowed || capture.Href != "/orders/0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11/capture" {
		t.Errorf("capture = %+v", capture)
	}
	if !byOp[string(omclient.OpCreateRefund)].Danger {
		t.Error("refund is not marked as a danger action")
	}
	ca := v.Captures[0].Actions
	if len(ca) != 3 || ca[1].Href != "/orders/0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11/captures/cap-1/send-out" {
		t.Errorf("klarna capture actions = %+v", ca)
	}
	kustom := fromOrder(sampleOrder(), omclient.ProviderKustom, testNow, time.UTC, "sv-SE")
	if len(kustom.Captures[0].Actions) != 1 {
		t.Errorf("kustom capture actions = %+v, want shipping info only", kustom.Captures[0].Actions)
	}
}

func TestFromOrderZeroDecimalAndMismatch(t *testing.T) {
	t.Parallel()
	o := &omclient.Order{OrderID: "x", Status: omclient.StatusAuthorized, PurchaseCurrency: "JPY", Locale: "ja-JP",
		OrderAmount: 12345, RemainingAuthorizedAmount: 12345,
		OrderLines: []omclient.OrderLine{{Name: "Tea", Quantity: 1, UnitPrice: 12000, TotalAmount: 12000}}}
	v := fromOrder(o, omclient.ProviderKustom, testNow, time.UTC, "ja-JP")
	if v.Amounts.Current.Text != "¥12,345" {
		t.Errorf("JPY amount = %q, want ¥12,345", v.Amounts.Current.Text)
	}
	if want := "The lines add up to ¥12,000, the order amount is ¥12,345."; v.Lines.Mismatch != want {
		t.Errorf("mismatch = %q, want %q", v.Lines.Mismatch, want)
	}
	if v.Title != "Order x" || v.Header.ProviderReference != "–" || v.Header.Fraud.Text != "" {
		t.Errorf("missing fields: title %q ref %q fraud %+v", v.Title, v.Header.ProviderReference, v.Header.Fraud)
	}
	if v.Header.ExpiresRelative != "" || v.Header.Expires.Text != "" {
		t.Errorf("unknown expiry rendered as %q / %q", v.Header.Expires.Text, v.Header.ExpiresRelative)
	}
}
