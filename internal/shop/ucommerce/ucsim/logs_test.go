package ucsim_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/omsim"
	uc "ordercare/internal/shop/ucommerce"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Retries and a refused refresh token are logged, but never a token, the
// client secret or the customer's data.
func TestLogsHoldNoSecretsNorCustomerData(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	var logs syncBuffer
	c, err := uc.New(uc.Config{BaseURL: e.srv.URL, ClientID: testID, ClientSecret: testSecret, Store: e.store, Now: e.clock.Now,
		BaseDelay: time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Exchange(t.Context(), e.authorize(t, "l"), testRedirect); err != nil {
		t.Fatal(err)
	}
	first, _, _ := e.store.Load(t.Context())
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Kind: omsim.Fault503, Times: 1, PathContains: "/orders/"}}})
	e.clock.Advance(301 * time.Second)
	if _, err := c.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatal(err)
	}
	second, _, _ := e.store.Load(t.Context())
	_ = e.store.Save(t.Context(), first, time.Now().Add(time.Hour)) // reused: refused and logged
	e.clock.Advance(301 * time.Second)
	if _, err := c.GetOrder(t.Context(), seedOrderID); !errors.Is(err, uc.ErrNotConnected) {
		t.Fatalf("reused: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "retrying") || !strings.Contains(out, "refused") {
		t.Fatalf("expected the retry and the refusal in the logs: %s", out)
	}
	for _, secret := range []string{first, second, testSecret, "asa@example.com", "Testgatan", "Öberg"} {
		if strings.Contains(out, secret) {
			t.Errorf("the logs hold %q", secret)
		}
	}
}

// A platform that does not answer is given up on at the client's
// timeout, and the error says the deadline passed.
func TestReadGivesUpAtTimeout(t *testing.T) {
	e := newEnv(t)
	e.connect(t)
	c, err := uc.New(uc.Config{BaseURL: e.srv.URL, ClientID: testID, ClientSecret: testSecret, Store: e.store, Now: e.clock.Now,
		Timeout: 200 * time.Millisecond, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Exchange(t.Context(), e.authorize(t, "h"), testRedirect); err != nil {
		t.Fatal(err)
	}
	e.sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Kind: omsim.FaultHang, PathContains: "/orders/"}}})
	if _, err := c.GetOrder(t.Context(), seedOrderID); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}
