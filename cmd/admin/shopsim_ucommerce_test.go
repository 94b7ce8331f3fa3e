package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	uc "ordercare/internal/shop/ucommerce"
)

// admin shopsim --platform ucommerce serves the Ucommerce sandbox: an
// admin's connect over HTTP gives tokens, and a demo payment order's
// merchant_reference2 reads its twin.
func TestShopsimServesUcommerce(t *testing.T) {
	t.Parallel()
	e, out, errOut := testEnv(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"shopsim", "--platform", "ucommerce", "--addr", "127.0.0.1:0", "--client-id", "cid", "--client-secret", "csecret"}, e)
	}()
	addrRe := regexp.MustCompile(`listening on (http://\S+)`)
	var base string
	for deadline := time.Now().Add(time.Minute); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := addrRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("shopsim did not start:\n%s\n%s", out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "/shop/connect") || !strings.Contains(out.String(), "out of step (cancelled-still-authorized)") {
		t.Errorf("output: %q", out.String())
	}
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = d.Close() }()
	st, err := uc.NewSQLStore(t.Context(), d, []byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := uc.New(uc.Config{BaseURL: base, ClientID: "cid", ClientSecret: "csecret", Store: st})
	if err != nil {
		t.Fatal(err)
	}
	const redirect = "https://ops.example/shop/connect/callback"
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(c.AuthorizeURL(redirect, "st"))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if err := c.Exchange(t.Context(), loc.Query().Get("code"), redirect); err != nil {
		t.Fatalf("connect: %v", err)
	}
	pay, err := omsim.DemoOrders(time.Now(), omclient.ProviderKustom)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pay {
		if p.MerchantReference2 == "" {
			continue
		}
		o, err := c.GetOrder(t.Context(), string(p.MerchantReference2))
		if err != nil || o.OrderNumber != string(p.MerchantReference1) || o.Payments[0].TransactionID != p.OrderID {
			t.Fatalf("twin of %s: %+v, %v", p.OrderID, o, err)
		}
		break
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shopsim: %v", err)
	}
}
