package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/outbox"
)

// waitFor polls cond until it holds or the deadline passes: background
// workers, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The shop pushes an order nobody opened: the running app answers 202 and
// its intake worker indexes the order in the background.
func TestHookIndexesInBackground(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.HookToken = "shop-token-0123456789abcdef"
	a, _ := start(t, cfg, io.Discard)
	id, err := a.Sandbox().CreateOrder(context.Background(), omsim.NewOrder{
		PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 5000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 1, UnitPrice: 5000,
			TaxRate: 1900, TotalAmount: 5000, TotalTaxAmount: 798}},
		MerchantReference1: "PUSHED-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, a.URL()+"/hooks/orders", strings.NewReader(`{"order_id":"`+id+`"}`))
	req.Header.Set("Authorization", "Bearer "+cfg.HookToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("push: %d", resp.StatusCode)
	}
	waitFor(t, "the pushed order in the index", func() bool {
		_, ok, err := a.Index().Get(context.Background(), id)
		return err == nil && ok
	})
}

// The admin stops between `requested` and `completed`: at the next start
// the attempt is closed as unknown, the outbox reconcile picks that event
// up, and the receiver gets it, signed.
func TestOutboundAfterRestart(t *testing.T) {
	t.Parallel()
	const secret = "merchant-secret-0123456789"
	var mu sync.Mutex
	var got []outbox.Event
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := outbox.Verify([]byte(secret), r.Header.Get(outbox.SignatureHeader), body, time.Now(), outbox.DefaultTolerance); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ev outbox.Event
		_ = json.NewDecoder(bytes.NewReader(body)).Decode(&ev)
		if ev.Type != outbox.EventType {
			return // the audit log's checkpoints go out too
		}
		mu.Lock()
		got = append(got, ev)
		mu.Unlock()
	}))
	t.Cleanup(recv.Close)
	cfg := testConfig(t)
	cfg.OutboundURL, cfg.OutboundSecret = recv.URL, secret

	_, stop := start(t, cfg, io.Discard) // first start: the outbox notes the log's head
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(context.Background(), cfg.AuditDBPath())
	if err != nil {
		t.Fatal(err)
	}
	orderID := "5b1c7f2e-0a1b-4c2d-8e3f-112233445566"
	if _, err := log.Append(context.Background(), audit.Event{Kind: audit.KindRequested, AttemptID: "crashed-1",
		Actor: audit.Actor{StaffID: 1, Email: "agent@example.com"}, OrderID: orderID, Action: "cancel", Reason: "duplicate order"}); err != nil {
		t.Fatal(err)
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	crashed(t, cfg)

	start(t, cfg, io.Discard)
	waitFor(t, "the recovered change at the receiver", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 1
	})
	mu.Lock()
	ev := got[0]
	mu.Unlock()
	if ev.OrderID != orderID || ev.Outcome != "unknown" || ev.Reason != "duplicate order" || ev.StaffEmail != "agent@example.com" {
		t.Fatalf("event: %+v", ev)
	}
}
