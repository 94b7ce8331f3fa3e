package view

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

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

func TestFromOrder(t *testing.T) {
	t.Parallel()
	v := FromOrder(sampleOrder(), omclient.ProviderKlarna, testNow, berlin, "sv-SE")

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
	v := FromOrder(sampleOrder(), omclient.ProviderKlarna, testNow, time.UTC, "sv-SE")
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
	kustom := FromOrder(sampleOrder(), omclient.ProviderKustom, testNow, time.UTC, "sv-SE")
	if len(kustom.Captures[0].Actions) != 1 {
		t.Errorf("kustom capture actions = %+v, want shipping info only", kustom.Captures[0].Actions)
	}
}

func TestPaymentMethodText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pm   *omclient.InitialPaymentMethod
		want string
	}{
		{nil, "–"},
		{&omclient.InitialPaymentMethod{Type: "CARD", Description: "Card"}, "Card"},
		{&omclient.InitialPaymentMethod{Type: "PAY_IN_X", Description: "Ratenkauf", NumberOfInstallments: 6}, "Pay in x · Ratenkauf · 6 instalments"},
		{&omclient.InitialPaymentMethod{Description: "Swish"}, "Swish"},
	} {
		if got := paymentMethod(tt.pm); got != tt.want {
			t.Errorf("paymentMethod(%+v) = %q, want %q", tt.pm, got, tt.want)
		}
	}
}

func TestFromOrderZeroDecimalAndMismatch(t *testing.T) {
	t.Parallel()
	o := &omclient.Order{OrderID: "x", Status: omclient.StatusAuthorized, PurchaseCurrency: "JPY", Locale: "ja-JP",
		OrderAmount: 12345, RemainingAuthorizedAmount: 12345,
		OrderLines: []omclient.OrderLine{{Name: "Tea", Quantity: 1, UnitPrice: 12000, TotalAmount: 12000}}}
	v := FromOrder(o, omclient.ProviderKustom, testNow, time.UTC, "ja-JP")
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

func TestExpiryTextPerStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status  omclient.Status
		expires time.Duration
		want    string
	}{
		{omclient.StatusAuthorized, 3*24*time.Hour + time.Minute, "expires in 3 days"},
		{omclient.StatusAuthorized, 2 * time.Hour, "expires today at 14:00"},
		{omclient.StatusPartCaptured, 30 * time.Minute, "expires in 30 minutes"},
		{omclient.StatusExpired, -26 * time.Hour, "expired yesterday at 10:00"},
		{omclient.StatusAuthorized, -5 * 24 * time.Hour, "expired 5 days ago"},
		{omclient.StatusCaptured, 2 * 24 * time.Hour, ""},
		{omclient.StatusCancelled, 2 * 24 * time.Hour, ""},
	}
	for _, tt := range tests {
		o := &omclient.Order{OrderID: "x", Status: tt.status, ExpiresAt: omclient.Time{Time: testNow.Add(tt.expires)}}
		if got := FromOrder(o, omclient.ProviderKustom, testNow, time.UTC, "ja-JP").Header.ExpiresRelative; got != tt.want {
			t.Errorf("%s expiring at now%+v: %q, want %q", tt.status, tt.expires, got, tt.want)
		}
	}
}

func TestRelativeCountsCalendarDaysInAgentZone(t *testing.T) {
	t.Parallel()
	la := mustZone("America/Los_Angeles")
	// 23:30 in Los Angeles; the expiry is 01:00 the next day there.
	now := time.Date(2026, 3, 11, 6, 30, 0, 0, time.UTC)
	exp := now.Add(90 * time.Minute)
	if got := relative(exp, now, la); got != "tomorrow at 01:00" {
		t.Errorf("Relative in LA = %q, want tomorrow at 01:00", got)
	}
	if got := relative(exp, now, time.UTC); got != "today at 08:00" {
		t.Errorf("Relative in UTC = %q, want today at 08:00", got)
	}
	// Across the European DST change (29 Mar 2026): still 3 calendar days.
	now = time.Date(2026, 3, 27, 10, 0, 0, 0, berlin)
	if got := relative(now.AddDate(0, 0, 3), now, berlin); got != "in 3 days" {
		t.Errorf("Relative across DST = %q, want in 3 days", got)
	}
}

func TestQueryHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q        string
		wantHint bool
	}{
		{"", false},
		{"ORDER-1001", false},
		{"anna@example.com", false},
		{"0b0d9c34", false},
		{"0b0d9c34-5a5c", false},
		{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11", false},
		{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c1g", true},
		{"0b0d9c345-a5c-4b5e", true},
		{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11-00", true},
		{"ORD-2026-000123-ABCDEFGHIJKLMNOP", false},
		{strings.Repeat("a", 256), true},
		{"abc\x00def", true},
	}
	for _, tt := range tests {
		if got := QueryHint(tt.q); (got != "") != tt.wantHint {
			t.Errorf("QueryHint(%q) = %q, want hint: %v", tt.q, got, tt.wantHint)
		}
	}
}

func TestFromProviderError(t *testing.T) {
	t.Parallel()
	id := "0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11"
	tests := []struct {
		name    string
		err     error
		kind    string
		status  int
		message string
		code    string
	}{
		{"unknown order", &omclient.APIError{StatusCode: 404, ErrorCode: "NO_SUCH_ORDER", CorrelationID: "corr-1"},
			ErrKindNotFound, 404, "No order " + id + " at Kustom.", "NO_SUCH_ORDER"},
		{"bad credentials", fmt.Errorf("wrapped: %w", &omclient.APIError{StatusCode: 401}),
			ErrKindCredentials, 502, "", "HTTP 401"},
		{"outage after retries", fmt.Errorf("after 4 tries, nothing was applied: %w", &omclient.APIError{StatusCode: 503, ErrorCode: "TEMPORARILY_UNAVAILABLE", CorrelationID: "corr-2"}),
			ErrKindUnavailable, 502, "", "TEMPORARILY_UNAVAILABLE"},
		{"timeout", fmt.Errorf("omclient: GET x: %w", context.DeadlineExceeded), ErrKindTimeout, 504, "", "TIMEOUT"},
		{"connection refused", errors.New("dial tcp: connection refused"), ErrKindUnreachable, 502, "", "NO_CONNECTION"},
		{"rate limited", &omclient.APIError{StatusCode: 429, ErrorCode: "TOO_MANY_REQUESTS"}, ErrKindRateLimited, 503, "", "TOO_MANY_REQUESTS"},
	}
	for _, tt := range tests {
		v := FromProviderError(omclient.FailureOf(tt.err), id, omclient.ProviderKustom)
		if v.Kind != tt.kind || v.Status != tt.status || v.Code != tt.code {
			t.Errorf("%s: kind %q status %d code %q, want %q %d %q", tt.name, v.Kind, v.Status, v.Code, tt.kind, tt.status, tt.code)
		}
		if tt.message != "" && v.Message != tt.message {
			t.Errorf("%s: message %q, want %q", tt.name, v.Message, tt.message)
		}
		if v.Heading == "" || v.Message == "" {
			t.Errorf("%s: empty heading or message: %+v", tt.name, v)
		}
		var ae *omclient.APIError
		if errors.As(tt.err, &ae) && v.CorrelationID != ae.CorrelationID {
			t.Errorf("%s: correlation id %q, want %q", tt.name, v.CorrelationID, ae.CorrelationID)
		}
		if v.Status < http.StatusBadRequest {
			t.Errorf("%s: status %d is not an error", tt.name, v.Status)
		}
	}
}

func TestSearchViewPaging(t *testing.T) {
	t.Parallel()
	page := orders.SearchPage{
		Orders:     []orders.IndexedOrder{{OrderID: "a", Status: omclient.StatusCaptured, Amount: 1234, Currency: "JPY", CustomerName: "Anna"}},
		NextCursor: "Y3Vyc29y",
	}
	v := NewSearchView("anna & co", "CAPTURED", "", page, time.UTC, "en-US")
	if v.NextHref != "/orders?cursor=Y3Vyc29y&q=anna+%26+co&status=CAPTURED" {
		t.Errorf("next = %q", v.NextHref)
	}
	if v.FirstHref != "" {
		t.Errorf("first page has a first link %q", v.FirstHref)
	}
	if v.Rows[0].Amount.Text != "¥1,234" || v.Rows[0].Href != "/orders/a" {
		t.Errorf("row = %+v", v.Rows[0])
	}
	var selected []string
	for _, o := range v.Statuses {
		if o.Selected {
			selected = append(selected, o.Value)
		}
	}
	if len(selected) != 1 || selected[0] != "CAPTURED" {
		t.Errorf("selected statuses = %v", selected)
	}
	empty := NewSearchView("zz", "", "abc", orders.SearchPage{}, time.UTC, "en-US")
	if empty.Empty == "" || empty.FirstHref != "/orders?q=zz" {
		t.Errorf("empty later page: %+v", empty)
	}
}

func TestSafeHref(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://track.example/a?b=c": "https://track.example/a?b=c",
		"HTTP://track.example":        "http://track.example",
		"javascript:alert(1)":         "",
		"JaVaScRiPt:alert(1)":         "",
		"data:text/html,hi":           "",
		"/relative":                   "",
		"//host.example/x":            "",
		"ftp://host.example":          "",
		"":                            "",
	} {
		if got := safeHref(in); got != want {
			t.Errorf("safeHref(%q) = %q, want %q", in, got, want)
		}
	}
}
