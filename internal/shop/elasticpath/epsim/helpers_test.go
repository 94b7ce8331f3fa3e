package epsim_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"ordercare/internal/omsim"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

const (
	testID     = "client-id-test"
	testSecret = "client-secret-test"
)

type env struct {
	sb     *epsim.Sandbox
	srv    *httptest.Server
	client *ep.Client
	clock  *omsim.FakeClock
}

// newEnv serves a sandbox over real HTTP and points a client at it; both
// share one fake clock so token expiry can be moved.
func newEnv(t *testing.T, wrap func(http.Handler) http.Handler) *env {
	t.Helper()
	clock := omsim.NewFakeClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	sb, err := epsim.New(epsim.Options{ClientID: testID, ClientSecret: testSecret, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = sb
	if wrap != nil {
		h = wrap(sb)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := ep.New(ep.Config{BaseURL: srv.URL, ClientID: testID, ClientSecret: testSecret, Now: clock.Now,
		Timeout: 5 * time.Second, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, srv: srv, client: c, clock: clock}
}

// order adds a plain order and returns its id.
func (e *env) order(t *testing.T, n epsim.NewOrder) string {
	t.Helper()
	if n.Currency == "" {
		n.Currency = "EUR"
	}
	if len(n.Items) == 0 {
		n.Items = []epsim.NewItem{{Name: "Mug", SKU: "MUG-1", Quantity: 2, UnitPrice: 1250, Tax: 400}}
	}
	if n.ShippingAddress == nil {
		n.ShippingAddress = &ep.Address{FirstName: "Åsa", LastName: "Öberg", Line1: "Testgatan 10", City: "Vetlanda", Postcode: "57431", Country: "SE"}
	}
	id, err := e.sb.Create(n)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func ctx(t *testing.T) context.Context { return t.Context() }
