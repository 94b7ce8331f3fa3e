package omsim

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

func TestAuthRequired(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)
	for _, tc := range []struct {
		name       string
		user, pass string
		set        bool
	}{
		{"none", "", "", false},
		{"wrong password", testUser, "nope", true},
		{"wrong user", "someone", testPass, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://sandbox.test"+path(id), nil)
			if tc.set {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			w := newRecorder()
			f.sb.ServeHTTP(w, req)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", w.Code)
			}
			if w.Header().Get("WWW-Authenticate") == "" || w.Header().Get(correlationHeader) == "" {
				t.Fatalf("headers %v lack WWW-Authenticate or correlation id", w.Header())
			}
			if strings.Contains(w.Body.String(), id) {
				t.Fatal("401 body leaks the order")
			}
		})
	}
}

func TestGetOrderAndErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, Options{})
	id := f.create(nil)

	r := f.do(http.MethodGet, path(id), "", nil)
	f.expect(r, http.StatusOK, "")
	var o omclient.Order
	mustJSON(t, r.body, &o)
	if o.OrderID != id || o.Status != omclient.StatusAuthorized || o.OrderAmount != 10000 || o.RemainingAuthorizedAmount != 10000 ||
		o.OriginalOrderAmount != 10000 || o.PurchaseCurrency != "SEK" || len(o.KlarnaReference) != 7 || o.FraudStatus != omclient.FraudAccepted {
		t.Fatalf("order %+v", o)
	}
	if !o.ExpiresAt.Equal(testStart.Add(28 * day)) {
		t.Fatalf("expires_at %v, want created + 28 days", o.ExpiresAt)
	}
	if r.header.Get(correlationHeader) == "" {
		t.Fatal("no Klarna-Correlation-Id on a 200")
	}
	// Upper-case ids are the same order.
	f.expect(f.do(http.MethodGet, path(strings.ToUpper(id)), "", nil), http.StatusOK, "")

	unknown := "0b0f3b1e-9a53-4bcb-9b6e-2a0f5d6c7e8f"
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		code               string
	}{
		{"malformed id", http.MethodGet, path("not-a-uuid"), nil, 400, codeInvalidOrderID},
		{"malformed id on change", http.MethodPost, path("1234", "cancel"), nil, 400, codeInvalidOrderID},
		{"unknown order", http.MethodGet, path(unknown), nil, 404, codeNoSuchOrder},
		{"unknown order captures", http.MethodGet, path(unknown, "captures"), nil, 404, codeNoSuchOrder},
		{"unknown order cancel", http.MethodPost, path(unknown, "cancel"), nil, 404, codeNoSuchOrder},
		{"unknown order refund", http.MethodPost, path(unknown, "refunds"), omclient.RefundRequest{RefundedAmount: 1}, 404, codeNotFound},
		{"unknown refund", http.MethodGet, path(id, "refunds", unknown), nil, 404, codeNotFound},
		{"unknown capture", http.MethodGet, path(id, "captures", unknown), nil, 404, codeNoSuchCapture},
		{"unknown path", http.MethodGet, path(id, "nothing"), nil, 404, codeNotFound},
		{"wrong method", http.MethodDelete, path(id), nil, 405, codeMethodNotAllowed},
		{"send-out absent on kustom", http.MethodPost, path(id, "captures", unknown, "trigger-send-out"), nil, 404, codeNotFound},
		{"due date absent on kustom", http.MethodGet, path(id, "captures", unknown, "extend-due-date-options"), nil, 404, codeNotFound},
		{"invalid JSON", http.MethodPost, path(id, "captures"), `{"captured_amount": `, 400, codeBadValue},
		{"missing required", http.MethodPost, path(id, "captures"), `{"description": "x"}`, 400, codeBadValue},
		{"wrong type", http.MethodPost, path(id, "captures"), `{"captured_amount": "ten"}`, 400, codeBadValue},
		{"too long", http.MethodPatch, path(id, "merchant-references"), map[string]string{"merchant_reference1": strings.Repeat("x", 256)}, 422, codeUnprocessable},
		{"too large", http.MethodPost, path(id, "shipping-info"), `{"shipping_info":[{"shipping_company":"` + strings.Repeat("x", 1<<20) + `"}]}`, 413, codeRequestTooLarge},
		{"shipping company too long", http.MethodPost, path(id, "shipping-info"), omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{{ShippingCompany: omclient.Text(strings.Repeat("x", 101))}}}, 422, codeUnprocessable},
		{"unknown shipping method", http.MethodPost, path(id, "shipping-info"), omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{{ShippingMethod: "xHomex"}}}, 400, codeBadValue},
		{"no shipping info", http.MethodPost, path(id, "shipping-info"), omclient.ShippingInfoRequest{ShippingInfo: []omclient.ShippingInfo{}}, 422, codeUnprocessable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(tc.method, tc.path, key(), tc.body)
			f.expect(r, tc.status, tc.code)
			e := r.apiError(t)
			if r.header.Get(correlationHeader) != e.CorrelationID {
				t.Fatalf("header correlation id %q != body %q", r.header.Get(correlationHeader), e.CorrelationID)
			}
		})
	}
	// The catalogued messages.
	r = f.do(http.MethodGet, path("nope"), "", nil)
	if m := r.apiError(t).ErrorMessages[0]; m != "Order ID must be a valid UUID." {
		t.Fatalf("message %q", m)
	}
	r = f.do(http.MethodPost, path(id, "captures"), key(), `{"captured_amount": 1, "order_lines": [{"name":"x","quantity":1,"unit_price":2,"total_amount":2}]}`)
	f.expect(r, 400, codeBadValue)
	if m := r.apiError(t).ErrorMessages[0]; !strings.Contains(m, "captured_amount") {
		t.Fatalf("message %q does not name the field", m)
	}
	if got := f.order(id); got.CapturedAmount != 0 {
		t.Fatalf("a refused request changed the order: %+v", got)
	}
}
