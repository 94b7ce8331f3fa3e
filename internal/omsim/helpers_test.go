package omsim

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

const (
	testUser = "M123456-test"
	testPass = "kco_test_api_secret"
)

var testStart = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	sb    *Sandbox
	clock *FakeClock
}

func newFixture(t *testing.T, opts Options) *fixture {
	t.Helper()
	clock := NewFakeClock(testStart)
	if opts.Clock == nil {
		opts.Clock = clock
	}
	opts.Username, opts.Password = testUser, testPass
	sb, err := New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return &fixture{t: t, sb: sb, clock: clock}
}

// result is a recorded answer.
type result struct {
	status int
	header http.Header
	body   []byte
}

func (r result) apiError(t *testing.T) omclient.ErrorBody {
	t.Helper()
	var e omclient.ErrorBody
	if err := json.Unmarshal(r.body, &e); err != nil {
		t.Fatalf("error body %q: %v", r.body, err)
	}
	return e
}

// do sends a raw request through the handler with the test credentials.
func (f *fixture) do(method, path, key string, body any) result {
	f.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, "http://sandbox.test"+path, rd)
	req.SetBasicAuth(testUser, testPass)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Klarna-Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	f.sb.ServeHTTP(w, req)
	return result{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

// expect checks the status and, for errors, the error code.
func (f *fixture) expect(r result, status int, code string) {
	f.t.Helper()
	if r.status != status {
		f.t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if code != "" {
		if e := r.apiError(f.t); e.ErrorCode != code || e.CorrelationID == "" || len(e.ErrorMessages) == 0 {
			f.t.Fatalf("error %+v, want code %s with messages and correlation id", e, code)
		}
	}
}

func (f *fixture) order(id string) *omclient.Order {
	f.t.Helper()
	o, err := f.sb.Order(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

func testLine(name string, qty, unit, rate int64) omclient.OrderLine {
	total := money.LineTotal(qty, unit, 0)
	return omclient.OrderLine{Type: "physical", Name: omclient.Text(name), Quantity: qty, UnitPrice: unit,
		TaxRate: rate, TotalAmount: total, TotalTaxAmount: money.TaxIncluded(total, rate)}
}

// newTestOrder is a SE invoice order of 10000 (two lines of 6000 and 4000).
func newTestOrder() NewOrder {
	lines := []omclient.OrderLine{testLine("Sweater", 1, 6000, 2500), testLine("Socks", 2, 2000, 2500)}
	return NewOrder{
		PurchaseCountry: "SE", PurchaseCurrency: "SEK", Locale: "sv-SE", OrderAmount: 10000, OrderLines: lines,
		BillingAddress: &omclient.Address{GivenName: "Anna", FamilyName: "Lindqvist", StreetAddress: "Drottninggatan 53",
			PostalCode: "111 21", City: "Stockholm", Country: "SE", Email: "anna@example.se"},
		MerchantReference1:   "SO-100123",
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE", Description: "Pay later"},
	}
}

func (f *fixture) create(mod func(*NewOrder)) string {
	f.t.Helper()
	o := newTestOrder()
	if mod != nil {
		mod(&o)
	}
	id, err := f.sb.CreateOrder(context.Background(), o)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func path(orderID string, rest ...string) string {
	return apiPrefix + orderID + strings.Join(append([]string{""}, rest...), "/")
}

// key returns a fresh idempotency key.
func key() string { return uuid.NewString() }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
