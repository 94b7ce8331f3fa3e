package epsim_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	ep "ordercare/internal/shop/elasticpath"
)

// One token serves many calls until shortly before it expires; then the
// client fetches a new one before the platform would refuse the old one.
func TestTokenCachedUntilShortlyBeforeExpiry(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	for range 3 {
		if _, err := e.client.GetOrder(ctx(t), id); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.sb.TokensIssued(); n != 1 {
		t.Fatalf("tokens issued for three reads = %d, want 1", n)
	}
	e.clock.Advance(time.Hour - 30*time.Second) // inside the renewal margin, still valid on the platform
	if _, err := e.client.GetOrder(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	if n := e.sb.TokensIssued(); n != 2 {
		t.Fatalf("tokens issued after nearing expiry = %d, want 2 (renewed before it died)", n)
	}
}

// Twenty callers finding no token fetch one between them.
func TestTokenConcurrentCallersFetchOnce(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			if _, err := e.client.GetOrder(ctx(t), id); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := e.sb.TokensIssued(); n != 1 {
		t.Fatalf("tokens issued for 20 concurrent first calls = %d, want 1", n)
	}
}

// A token the platform refuses early (revoked) is replaced once and the
// call goes through.
func TestTokenRevokedIsReplacedOnce(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	if _, err := e.client.GetOrder(ctx(t), id); err != nil {
		t.Fatal(err)
	}
	e.sb.RevokeTokens()
	if _, err := e.client.UpdateOrder(ctx(t), id, ep.Cancel()); err != nil {
		t.Fatalf("update after revocation: %v", err)
	}
	if n := e.sb.TokensIssued(); n != 2 {
		t.Fatalf("tokens issued = %d, want 2", n)
	}
}

// Wrong credentials are a TokenError naming the refusal; nothing else is
// sent.
func TestTokenWrongSecret(t *testing.T) {
	e := newEnv(t, nil)
	c, err := ep.New(ep.Config{BaseURL: e.srv.URL, ClientID: testID, ClientSecret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOrder(ctx(t), e.order(t, ep0()))
	var te *ep.TokenError
	if !errors.As(err, &te) || te.StatusCode != 401 {
		t.Fatalf("err = %v, want a TokenError with 401", err)
	}
}
