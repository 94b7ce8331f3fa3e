package omsim

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

func TestUpdateAuthorizationRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, country string
		increase        bool
	}{
		{"INVOICE", "SE", true},
		{"INVOICE", "CH", false},
		{"INVOICE_BUSINESS", "DE", true},
		{"B2B_INVOICE", "NO", true},
		{"ACCOUNT", "SE", true},
		{"BASE_ACCOUNT", "FI", true},
		{"DIRECT_DEBIT", "DE", true},
		{"DIRECT_DEBIT", "CH", false},
		{"FIXED_AMOUNT", "SE", true},
		{"FIXED_AMOUNT", "GB", false},
		{"DEFERRED_INTEREST", "US", true},
		{"DEFERRED_INTEREST", "SE", false},
		{"CARD", "SE", false},
		{"PAY_LATER_IN_PARTS", "GB", false},
		{"", "SE", false},
	} {
		t.Run(tc.method+"/"+tc.country, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, Options{})
			id := f.create(func(o *NewOrder) {
				o.PurchaseCountry = tc.country
				o.InitialPaymentMethod = &omclient.InitialPaymentMethod{Type: omclient.Text(tc.method)}
			})
			r := f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 12000})
			if tc.increase {
				f.expect(r, 204, "")
				if o := f.order(id); o.OrderAmount != 12000 || o.RemainingAuthorizedAmount != 12000 || o.OriginalOrderAmount != 10000 {
					t.Fatalf("after increase: %+v", o)
				}
			} else {
				f.expect(r, 403, codeNotAllowed)
			}
			// Decreases are allowed for every method.
			f.expect(f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 9000}), 204, "")
		})
	}

	t.Run("lines replace and omitted lines delete", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(nil)
		newLines := []omclient.OrderLine{testLine("Sweater", 1, 6000, 2500)}
		f.expect(f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 6000, OrderLines: newLines}), 204, "")
		if o := f.order(id); len(o.OrderLines) != 1 || o.OrderLines[0].Name != "Sweater" {
			t.Fatalf("lines %+v", o.OrderLines)
		}
		f.expect(f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 5000}), 204, "")
		if o := f.order(id); len(o.OrderLines) != 0 {
			t.Fatalf("omitted lines kept: %+v", o.OrderLines)
		}
		// Lines that do not add up to the amount.
		r := f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 4000, OrderLines: newLines})
		f.expect(r, 400, codeBadValue)
		if !strings.Contains(r.apiError(t).ErrorMessages[0], "order_amount") {
			t.Fatalf("message %v", r.apiError(t).ErrorMessages)
		}
	})

	t.Run("never below captured; down to captured completes", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(nil)
		captureOf(f, id, 8000)
		r := f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 7000})
		f.expect(r, 403, codeNotAllowed)
		want := "Resulting authorization amount 7000 cannot be less than the captured amount 8000 for order. Order authorization cannot be updated"
		if m := r.apiError(t).ErrorMessages[0]; m != want {
			t.Fatalf("message %q", m)
		}
		f.expect(f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 8000}), 204, "")
		if o := f.order(id); o.Status != omclient.StatusCaptured || o.RemainingAuthorizedAmount != 0 {
			t.Fatalf("after lowering to captured: %s remaining %d", o.Status, o.RemainingAuthorizedAmount)
		}
		r = f.do(http.MethodPatch, path(id, "authorization"), key(), omclient.UpdateAuthorizationRequest{OrderAmount: 8000})
		f.expect(r, 403, codeNotAllowed)
		if m := r.apiError(t).ErrorMessages[0]; m != "Update not allowed." {
			t.Fatalf("message %q", m)
		}
	})
}

func TestReleaseAndCancelMessages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	captureOf(f, id, 4000)
	r := f.do(http.MethodPost, path(id, "cancel"), key(), nil)
	f.expect(r, 403, codeCancelNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; m != "Order has previous captures. Cancel not possible." {
		t.Fatalf("message %q", m)
	}
	f.expect(f.do(http.MethodPost, path(id, "release-remaining-authorization"), key(), nil), 204, "")
	o := f.order(id)
	if o.Status != omclient.StatusCaptured || o.RemainingAuthorizedAmount != 0 || o.OrderAmount != 10000 {
		t.Fatalf("after release: %+v", o)
	}
	r = f.do(http.MethodPost, path(id, "release-remaining-authorization"), key(), nil)
	f.expect(r, 403, codeNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; m != "Order is fully captured. Remaining authorization cannot be released." {
		t.Fatalf("message %q", m)
	}
	// A released order whose captures are refunded closes.
	f.expect(f.do(http.MethodPost, path(id, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 4000}), 201, "")
	if o := f.order(id); o.Status != omclient.StatusClosed {
		t.Fatalf("fully refunded released order is %s", o.Status)
	}
}

func TestCustomerDetails(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	// Billing address: refused with the catalogued message.
	r := f.do(http.MethodPatch, path(id, "customer-details"), key(), map[string]any{"billing_address": map[string]string{"city": "Lund"}})
	f.expect(r, 403, codeNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; !strings.HasPrefix(m, "Billing address cannot be updated") {
		t.Fatalf("message %q", m)
	}
	// Shipping: present fields overwrite, "" clears, others stay.
	f.expect(f.do(http.MethodPatch, path(id, "customer-details"), key(), map[string]any{"shipping_address": map[string]any{
		"street_address": "Sveavägen 1", "postal_code": 11157, "street_address2": "", "attention": "Reception"}}), 204, "")
	o := f.order(id)
	if a := o.ShippingAddress; a.StreetAddress != "Sveavägen 1" || a.PostalCode != "11157" || a.City != "Stockholm" || a.Attention != "Reception" || a.GivenName != "Anna" {
		t.Fatalf("shipping address %+v", a)
	}
	if o.BillingAddress.StreetAddress != "Drottninggatan 53" {
		t.Fatal("billing address changed")
	}
	for _, tc := range []struct {
		name string
		addr map[string]string
		code string
	}{
		{"other country", map[string]string{"country": "NO"}, codeInvalidAddress},
		{"cleared mandatory field", map[string]string{"city": ""}, codeInvalidAddress},
		{"too long", map[string]string{"postal_code": "12345678901"}, codeUnprocessable},
	} {
		r := f.do(http.MethodPatch, path(id, "customer-details"), key(), map[string]any{"shipping_address": tc.addr})
		f.expect(r, 422, tc.code)
	}
	f.expect(f.do(http.MethodPatch, path(id, "customer-details"), key(), map[string]any{}), 400, codeBadValue)
}

func TestMerchantReferences(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(func(o *NewOrder) { o.MerchantReference2 = "CRM-1" })
	f.expect(f.do(http.MethodPatch, path(id, "merchant-references"), key(), `{"merchant_reference1": 15632423}`), 204, "")
	o := f.order(id)
	if o.MerchantReference1 != "15632423" || o.MerchantReference2 != "CRM-1" {
		t.Fatalf("refs %q %q", o.MerchantReference1, o.MerchantReference2)
	}
	f.expect(f.do(http.MethodPatch, path(id, "merchant-references"), key(), `{"merchant_reference2": ""}`), 204, "")
	if o := f.order(id); o.MerchantReference2 != "" || o.MerchantReference1 != "15632423" {
		t.Fatalf("refs %q %q", o.MerchantReference1, o.MerchantReference2)
	}
	f.expect(f.do(http.MethodPost, path(id, "cancel"), key(), nil), 204, "")
	r := f.do(http.MethodPatch, path(id, "merchant-references"), key(), `{"merchant_reference1": "x"}`)
	f.expect(r, 403, codeNotAllowed)
	unknown := f.do(http.MethodPatch, path("0b0f3b1e-9a53-4bcb-9b6e-2a0f5d6c7e8f", "merchant-references"), key(), `{}`)
	f.expect(unknown, 404, codeNoSuchOrder)
	if m := unknown.apiError(t).ErrorMessages[0]; m != "Order cannot be found. Merchant references cannot be updated." {
		t.Fatalf("message %q", m)
	}
}

func TestExpiryFollowsClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	plain := f.create(nil)
	part := f.create(nil)
	captureOf(f, part, 4000)

	f.clock.Set(testStart.Add(28*day - time.Second))
	if o := f.order(plain); o.Status != omclient.StatusAuthorized {
		t.Fatalf("one second before expiry: %s", o.Status)
	}
	f.clock.Set(testStart.Add(28 * day))
	for id, was := range map[string]int64{plain: 10000, part: 6000} {
		var o omclient.Order
		mustJSON(t, f.do(http.MethodGet, path(id), "", nil).body, &o)
		if o.Status != omclient.StatusExpired || o.RemainingAuthorizedAmount != 0 {
			t.Fatalf("at expiry (remaining was %d): %s remaining %d", was, o.Status, o.RemainingAuthorizedAmount)
		}
	}
	r := f.do(http.MethodPost, path(plain, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 100})
	f.expect(r, 403, codeCaptureNotAllowed)
	r = f.do(http.MethodPost, path(plain, "extend-authorization-time"), key(), nil)
	f.expect(r, 403, codeNotAllowed)
	if m := r.apiError(t).ErrorMessages[0]; m != "Order is expired. Authorization time cannot be extended." {
		t.Fatalf("message %q", m)
	}
	// The captured part of an expired order stays refundable.
	f.expect(f.do(http.MethodPost, path(part, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 1000}), 201, "")
	f.expect(f.do(http.MethodPost, path(part, "refunds"), key(), omclient.RefundRequest{RefundedAmount: 3000}), 201, "")
	if o := f.order(part); o.Status != omclient.StatusClosed {
		t.Fatalf("fully refunded expired order is %s", o.Status)
	}
}

func TestExtendAuthorization(t *testing.T) {
	t.Parallel()
	t.Run("klarna: now + 28 days, at most 180 days after creation", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{Provider: omclient.ProviderKlarna})
		id := f.create(nil)
		created := testStart
		for d := 20; d <= 140; d += 20 {
			f.clock.Set(created.Add(time.Duration(d) * day))
			f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 204, "")
			if o := f.order(id); !o.ExpiresAt.Equal(created.Add(time.Duration(d+28) * day)) {
				t.Fatalf("day %d: expires %v", d, o.ExpiresAt)
			}
		}
		// Day 160: capped at 180 days after creation.
		f.clock.Set(created.Add(160 * day))
		f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 204, "")
		if o := f.order(id); !o.ExpiresAt.Equal(created.Add(180 * day)) {
			t.Fatalf("expires %v, want creation + 180 days", o.ExpiresAt)
		}
		f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 403, codeNotAllowed)
	})
	t.Run("kustom: now + 28 days, at most 90 days of extension", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(nil)
		orig := testStart.Add(28 * day)
		f.clock.Set(testStart.Add(27 * day))
		f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 204, "")
		if o := f.order(id); !o.ExpiresAt.Equal(testStart.Add(55 * day)) {
			t.Fatalf("expires %v", o.ExpiresAt)
		}
		for _, d := range []int{54, 81, 108} {
			f.clock.Set(testStart.Add(time.Duration(d) * day))
			f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 204, "")
		}
		if o := f.order(id); !o.ExpiresAt.Equal(orig.Add(90 * day)) {
			t.Fatalf("expires %v, want original + 90 days", o.ExpiresAt)
		}
		f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 403, codeNotAllowed)
	})
	t.Run("kustom: not for FR", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(func(o *NewOrder) { o.PurchaseCountry = "FR"; o.PurchaseCurrency = "EUR" })
		f.expect(f.do(http.MethodPost, path(id, "extend-authorization-time"), key(), nil), 403, codeNotAllowed)
	})
}

func TestFraudStatusBlocksCapture(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	for _, fs := range []omclient.FraudStatus{omclient.FraudPending, omclient.FraudRejected} {
		id := f.create(func(o *NewOrder) { o.FraudStatus = fs })
		r := f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 1000})
		f.expect(r, 403, codeCaptureNotAllowed)
		if o := f.order(id); o.CapturedAmount != 0 || o.FraudStatus != fs {
			t.Fatalf("%s: %+v", fs, o)
		}
	}
	// The review ends: ACCEPTED through the sandbox endpoint, then capture works.
	id := f.create(func(o *NewOrder) { o.FraudStatus = omclient.FraudPending })
	f.expect(f.do(http.MethodPost, "/sandbox/orders/"+id+"/fraud-status", key(), `{"fraud_status":"ACCEPTED"}`), 204, "")
	f.expect(f.do(http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 1000}), 201, "")
	f.expect(f.do(http.MethodPost, "/sandbox/orders/"+id+"/fraud-status", key(), `{"fraud_status":"MAYBE"}`), 400, codeBadValue)
}

func TestKlarnaCaptureOperations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{Provider: omclient.ProviderKlarna})
	id := f.create(func(o *NewOrder) { o.PurchaseCurrency = "JPY"; o.PurchaseCountry = "JP" })
	capID := captureOf(f, id, 10000)

	r := f.do(http.MethodGet, path(id, "captures", capID, "extend-due-date-options"), "", nil)
	f.expect(r, 200, "")
	var opts omclient.ExtendDueDateOptions
	mustJSON(t, r.body, &opts)
	if opts.Currency != "JPY" || len(opts.Options) != 2 || opts.Options[0].NumberOfDays != 14 || opts.Options[0].Amount != 300 {
		t.Fatalf("options %+v", opts)
	}
	f.expect(f.do(http.MethodPatch, path(id, "captures", capID, "extend-due-date"), key(), omclient.ExtendDueDateRequest{NumberOfDays: 20}), 400, codeBadValue)
	f.expect(f.do(http.MethodPatch, path(id, "captures", capID, "extend-due-date"), key(), omclient.ExtendDueDateRequest{NumberOfDays: 30}), 204, "")
	f.expect(f.do(http.MethodPatch, path(id, "captures", capID, "extend-due-date"), key(), omclient.ExtendDueDateRequest{NumberOfDays: 14}), 403, codeNotAllowed)
	mustJSON(t, f.do(http.MethodGet, path(id, "captures", capID, "extend-due-date-options"), "", nil).body, &opts)
	if len(opts.Options) != 0 {
		t.Fatalf("options after extension %+v", opts)
	}
	f.expect(f.do(http.MethodPost, path(id, "captures", capID, "trigger-send-out"), key(), nil), 204, "")
	f.expect(f.do(http.MethodPost, path(id, "captures", otherCapture, "trigger-send-out"), key(), nil), 404, codeNoSuchCapture)

	// Not a pay-later method: no due-date extension.
	card := f.create(func(o *NewOrder) { o.InitialPaymentMethod = &omclient.InitialPaymentMethod{Type: "CARD"} })
	c2 := captureOf(f, card, 1000)
	f.expect(f.do(http.MethodGet, path(card, "captures", c2, "extend-due-date-options"), "", nil), 403, codeNotAllowed)
}

func TestCreateOrderEndpoint(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	r := f.do(http.MethodPost, "/sandbox/orders", "", newTestOrder())
	f.expect(r, http.StatusCreated, "")
	var out struct {
		OrderID string `json:"order_id"`
	}
	mustJSON(t, r.body, &out)
	o := f.order(out.OrderID)
	if o.Status != omclient.StatusAuthorized || o.RemainingAuthorizedAmount != 10000 || r.header.Get("Location") != "http://sandbox.test"+path(out.OrderID) {
		t.Fatalf("created %+v, headers %v", o, r.header)
	}

	bad := newTestOrder()
	bad.OrderAmount = 9999
	r = f.do(http.MethodPost, "/sandbox/orders", "", bad)
	f.expect(r, 400, codeBadValue)
	bad = newTestOrder()
	bad.OrderLines[0].TotalTaxAmount += 5
	r = f.do(http.MethodPost, "/sandbox/orders", "", bad)
	f.expect(r, 400, codeBadValue)
	if m := r.apiError(t).ErrorMessages[0]; !strings.Contains(m, "order_lines[0].total_tax_amount") {
		t.Fatalf("message %q", m)
	}
	// Go form: same validation.
	if _, err := f.sb.CreateOrder(t.Context(), bad); err == nil {
		t.Fatal("CreateOrder accepted lines that don't add up")
	}
	// Past expires_at: EXPIRED at once.
	past := testStart.Add(-time.Hour)
	id := f.create(func(o *NewOrder) { o.ExpiresAt = &past })
	if o := f.order(id); o.Status != omclient.StatusExpired {
		t.Fatalf("order with past expiry is %s", o.Status)
	}
	var list struct {
		OrderIDs []string `json:"order_ids"`
	}
	mustJSON(t, f.do(http.MethodGet, "/sandbox/orders", "", nil).body, &list)
	if len(list.OrderIDs) != 2 {
		t.Fatalf("listed %v", list.OrderIDs)
	}
}
