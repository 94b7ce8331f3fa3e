package handlers_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omclient/omclienttest"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
)

// The money-form tests run the back office against the real sandbox like
// the other order tests, with two additions: a "shop" client that talks to
// the sandbox directly (to set up captures, or to play another system
// changing the order), and a hook that runs just before a request of the
// back office reaches the sandbox, to stage a race no local check can see.

// moneyApp is an ordersApp with the direct client and the hook.
type moneyApp struct {
	*ordersApp
	shop *omclient.Client
	hook atomic.Pointer[func(*http.Request)]
}

func newMoneyApp(t *testing.T, provider omclient.Provider) *moneyApp {
	t.Helper()
	m := &moneyApp{}
	// The hook sees the back office's requests, not the shop's.
	hooked := func(sb http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-Test-Shop") == "" {
				if f := m.hook.Load(); f != nil {
					(*f)(r)
				}
			}
			sb.ServeHTTP(w, r)
		})
	}
	m.ordersApp = newOrdersApp(t, ordersAppOpts{provider: provider, noDemo: true, wrapSandbox: hooked})
	shop, err := omclient.New(omclient.Config{BaseURL: m.sandboxURL, Provider: m.h.Provider, Env: omclient.EnvSandbox,
		Username: pipelinetest.User, Password: pipelinetest.Password, Timeout: 10 * time.Second,
		Retry:      omclient.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond},
		HTTPClient: &http.Client{Transport: shopTransport{}}})
	if err != nil {
		t.Fatal(err)
	}
	m.shop = shop
	return m
}

// shopTransport marks the shop's requests so the hook leaves them alone.
type shopTransport struct{}

func (shopTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Shop", "1")
	return http.DefaultTransport.RoundTrip(r)
}

// onceBefore runs f before the first back-office request whose method and
// path match, then never again.
func (m *moneyApp) onceBefore(method, pathSuffix string, f func()) {
	var done atomic.Bool
	hook := func(r *http.Request) {
		if r.Method == method && strings.HasSuffix(r.URL.Path, pathSuffix) && done.CompareAndSwap(false, true) {
			f()
		}
	}
	m.hook.Store(&hook)
}

// orderSpec describes a sandbox order for a test.
type orderSpec struct {
	country, currency, locale, method string
	lines                             []omclient.OrderLine
	fraud                             omclient.FraudStatus
}

// physical is a line of qty × unit with discount at rate.
func physical(ref, name string, qty, unit, disc, rate int64) omclient.OrderLine {
	return orders.LineInput{Type: omclient.LineTypePhysical, Reference: ref, Name: name, Quantity: qty, UnitPrice: unit, Discount: disc, TaxRate: rate}.Line(nil)
}

// seLines are a Swedish order's lines: 3 chairs at 499 kr with 30 kr off,
// 2 lamps at 249.50 kr, shipping 49 kr (total 2 015,00 kr).
func seLines() []omclient.OrderLine {
	return []omclient.OrderLine{
		physical("CH-1", "Chair", 3, 49900, 3000, 2500),
		physical("LA-1", "Lamp", 2, 24950, 0, 2500),
		orders.LineInput{Type: omclient.LineTypeShippingFee, Name: "Shipping", Quantity: 1, UnitPrice: 4900, TaxRate: 2500}.Line(nil),
	}
}

// createOrder creates the order in the sandbox and returns its id.
func (m *moneyApp) createOrder(s orderSpec) string {
	m.t.Helper()
	if s.country == "" {
		s.country, s.currency, s.locale = "SE", "SEK", "sv-SE"
	}
	if s.method == "" {
		s.method = "INVOICE"
	}
	if s.lines == nil {
		s.lines = seLines()
	}
	var total int64
	for _, l := range s.lines {
		total += l.TotalAmount
	}
	addr := &omclient.Address{GivenName: "Anna", FamilyName: "Lindqvist", StreetAddress: "Drottninggatan 53", PostalCode: "111 21",
		City: "Stockholm", Country: omclient.Text(s.country), Email: "anna@example.se"}
	id, err := m.sandbox.CreateOrder(m.t.Context(), omsim.NewOrder{PurchaseCountry: s.country, PurchaseCurrency: s.currency, Locale: s.locale,
		OrderAmount: total, OrderLines: s.lines, BillingAddress: addr, FraudStatus: s.fraud,
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: omclient.Text(s.method)}})
	if err != nil {
		m.t.Fatal(err)
	}
	return id
}

// shopCapture captures directly at the provider, as the shop's own
// systems would, and returns the capture id.
func (m *moneyApp) shopCapture(orderID string, req omclient.CaptureRequest) string {
	m.t.Helper()
	id, err := omclienttest.Created(context.WithoutCancel(m.t.Context()), m.shop, orderID, "", &req)
	if err != nil {
		m.t.Fatalf("shop capture on %s: %v", orderID, err)
	}
	return id
}

// shopRefund refunds directly at the provider.
func (m *moneyApp) shopRefund(orderID string, req omclient.RefundRequest) {
	m.t.Helper()
	if _, err := omclienttest.Created(context.WithoutCancel(m.t.Context()), m.shop, orderID, "", &req); err != nil {
		m.t.Fatalf("shop refund on %s: %v", orderID, err)
	}
}

// formPath is the URL of a money form of the order.
func formPath(orderID, slug string) string { return "/orders/" + orderID + "/" + slug }

// postForm submits values to path as a browser without JavaScript.
func (ag *agent) postForm(path string, v url.Values) answer {
	ag.a.t.Helper()
	return ag.post(path, v, nil)
}

// minorOf reads the data-minor attribute of the first element matching
// selector.
func minorOf(r answer, selector string) string {
	return r.doc.Find(selector).First().AttrOr("data-minor", "")
}

// effect returns the preview's before and after (minor units) of row key
// ("order", "captured", "refunded", "remaining").
func effect(r answer, key string) (before, after string) {
	row := r.doc.Find(`[data-testid="effect-` + key + `"]`)
	return row.Find(`[data-testid="before"]`).AttrOr("data-minor", ""), row.Find(`[data-testid="after"]`).AttrOr("data-minor", "")
}
