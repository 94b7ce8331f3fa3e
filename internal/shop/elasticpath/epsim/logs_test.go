package epsim_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

// Retries are logged, but never the client secret, a token nor the
// order number searched for, also when the connection breaks (the
// transport's error names the whole URL, query included).
func TestLogsHoldNoSecretsNorOrderNumbers(t *testing.T) {
	e := newEnv(t, nil)
	e.order(t, epsim.NewOrder{OrderNumber: "SO-SECRET-77"})
	var logs bytes.Buffer // the client logs from the caller's goroutine
	c, err := ep.New(ep.Config{BaseURL: e.srv.URL, ClientID: testID, ClientSecret: testSecret, Now: e.clock.Now,
		BaseDelay: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	// Two resets: Go's transport quietly retries a read once on a reused
	// connection, so at least one reaches the client's own retry.
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "GET", PathContains: "/v2/orders", Kind: epsim.FaultResetAfterApply, Times: 2}}})
	found, err := c.FindByNumber(t.Context(), "SO-SECRET-77")
	if err != nil || len(found) != 1 {
		t.Fatalf("FindByNumber through two resets = %+v, %v", found, err)
	}
	out := logs.String()
	if !strings.Contains(out, "retrying") {
		t.Fatalf("no retry logged:\n%s", out)
	}
	for _, secret := range []string{testSecret, "SO-SECRET-77", "order_number"} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs hold %q:\n%s", secret, out)
		}
	}
}
