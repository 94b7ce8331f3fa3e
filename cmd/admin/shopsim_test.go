package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	ep "ordercare/internal/shop/elasticpath"
)

// admin shopsim serves the shop side of the demo payment orders under the
// credentials given, and names the out-of-step orders.
func TestShopsimServesDemoTwins(t *testing.T) {
	t.Parallel()
	e, out, errOut := testEnv(nil, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"shopsim", "--platform", "elasticpath", "--addr", "127.0.0.1:0", "--client-id", "cid", "--client-secret", "csecret"}, e)
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
	if strings.Contains(out.String(), "credentials:") || strings.Count(out.String(), "out of step") != 4 {
		t.Errorf("output: %q", out.String())
	}
	pay, err := omsim.DemoOrders(time.Now(), omclient.ProviderKustom)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ep.New(ep.Config{BaseURL: base, ClientID: "cid", ClientSecret: "csecret"})
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.FindByNumber(t.Context(), string(pay[0].MerchantReference1))
	if err != nil || len(found) != 1 || found[0].ExternalRef != pay[0].OrderID {
		t.Fatalf("twin of %s: %+v, %v", pay[0].OrderID, found, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shopsim: %v", err)
	}
	if err := run(context.Background(), []string{"shopsim", "--platform", "magento"}, e); err == nil || !strings.Contains(err.Error(), "magento") {
		t.Fatalf("unknown platform: %v", err)
	}
}
