package ucsim_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
	"ordercare/internal/omsim"
	uc "ordercare/internal/shop/ucommerce"
)

// An access token lives 300 s: after that the client refreshes (once)
// and the read goes through.
func TestAccessTokenExpiresAndIsRefreshed(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	e.connect(t)
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatal(err)
	}
	if n := e.sb.Refreshes(); n != 0 {
		t.Fatalf("refreshed %d times with a live token", n)
	}
	e.clock.Advance(301 * time.Second)
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
	if n := e.sb.Refreshes(); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
	// Revoked early (the platform's clock ahead): a 401 leads to one refresh.
	e.sb.RevokeAccessTokens()
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatalf("after revocation: %v", err)
	}
	if n := e.sb.Refreshes(); n != 2 {
		t.Fatalf("refreshes = %d, want 2", n)
	}
}

// A refresh rotates the refresh token and the new one is stored before
// the access token is used; the old one dies. Presenting it again (a
// restored backup, a second instance) is refused, the store forgets it,
// and the shop reads "not connected" until an admin connects again.
func TestReusedRefreshTokenLeadsToReconnect(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	e.connect(t)
	old, oldExp, err := e.store.Load(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(301 * time.Second)
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatal(err)
	}
	rotated, _, err := e.store.Load(t.Context())
	if err != nil || rotated == old {
		t.Fatalf("stored refresh token not rotated (err %v)", err)
	}
	// The old token comes back: a second client holding it refreshes.
	stale := &memStore{tok: old, exp: oldExp}
	c2 := newClient(t, e.srv.URL, stale, e.clock)
	if _, err := c2.GetOrder(t.Context(), seedOrderID); !errors.Is(err, uc.ErrNotConnected) {
		t.Fatalf("reused refresh token: err = %v, want ErrNotConnected", err)
	}
	if stale.tok != "" {
		t.Fatal("the refused refresh token is still stored")
	}
	if ok, _, _ := c2.Connected(t.Context()); ok {
		t.Fatal("Connected() after a refused refresh token")
	}
	// The rotated token still works for the first client.
	e.clock.Advance(301 * time.Second)
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatalf("rotated token: %v", err)
	}
}

// A refresh token past its 90 days is not even sent: reconnect.
func TestExpiredRefreshToken(t *testing.T) {
	e := newEnv(t)
	e.connect(t)
	e.clock.Advance(uc.RefreshTokenLifetime + time.Hour)
	if _, err := e.client.GetOrder(t.Context(), seedOrderID); !errors.Is(err, uc.ErrNotConnected) {
		t.Fatalf("err = %v, want ErrNotConnected", err)
	}
	if n := e.sb.Refreshes(); n != 0 {
		t.Fatalf("an expired refresh token was sent (%d refreshes)", n)
	}
}

// Many requests finding the access token expired at once refresh once:
// a second refresh would reuse the rotated token and disconnect the shop.
func TestConcurrentRefreshRefreshesOnce(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	e.connect(t)
	e.sb.SetFaults(omsim.Faults{Latency: 20 * time.Millisecond}) // widen the race
	e.clock.Advance(301 * time.Second)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { _, errs[i] = e.client.GetOrder(t.Context(), seedOrderID) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("reader %d: %v", i, err)
		}
	}
	if n := e.sb.Refreshes(); n != 1 {
		t.Fatalf("refreshes = %d, want 1", n)
	}
}

// The refresh token is stored encrypted: neither the database files nor
// the column hold it, and another key cannot open it.
func TestRefreshTokenEncryptedAtRest(t *testing.T) {
	e := newEnv(t)
	e.connect(t)
	tok, _, err := e.store.Load(t.Context())
	if err != nil || tok == "" {
		t.Fatalf("no stored token: %v", err)
	}
	var sealed []byte
	if err := e.db.W.QueryRowContext(t.Context(), `SELECT sealed FROM shop_tokens`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte(tok)) {
		t.Fatal("the stored column holds the token in clear")
	}
	for _, suffix := range []string{"", "-wal"} {
		b, err := os.ReadFile(e.db.Path + suffix)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(tok)) {
			t.Fatalf("admin.db%s holds the token in clear", suffix)
		}
	}
	other, err := uc.NewSQLStore(t.Context(), e.db, bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Load(t.Context()); !errors.Is(err, uc.ErrNotConnected) {
		t.Fatalf("another key: err = %v, want ErrNotConnected", err)
	}
}

// The authorization code is good once, for one minute.
func TestAuthorizationCodeOnceAndShortLived(t *testing.T) {
	e := newEnv(t)
	code := e.authorize(t, "x")
	if err := e.client.Exchange(t.Context(), code, testRedirect); err != nil {
		t.Fatal(err)
	}
	var te *uc.TokenError
	if err := e.client.Exchange(t.Context(), code, testRedirect); !errors.As(err, &te) {
		t.Fatalf("code used twice: err = %v", err)
	}
	late := e.authorize(t, "y")
	e.clock.Advance(61 * time.Second)
	if err := e.client.Exchange(t.Context(), late, testRedirect); !errors.As(err, &te) {
		t.Fatalf("code after a minute: err = %v", err)
	}
}

// failingStore cannot write: the disk is full.
type failingStore struct{ memStore }

func (*failingStore) Save(context.Context, string, time.Time) error { return errors.New("disk full") }

// When the new refresh token cannot be stored, the new access token is
// not used either: the rotated refresh token would be lost on the next
// restart, so it is better to fail now, visibly.
func TestTokenNotUsedWhenNotStored(t *testing.T) {
	e := newEnv(t)
	e.post(t, seedShaped)
	c := newClient(t, e.srv.URL, &failingStore{}, e.clock)
	if err := c.Exchange(t.Context(), e.authorize(t, "z"), testRedirect); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("exchange with a failing store: %v", err)
	}
	if _, err := c.GetOrder(t.Context(), seedOrderID); err == nil {
		t.Fatal("an access token whose refresh token was not stored was used")
	}
}

// Two instances of a fleet share one stored refresh token (PostgreSQL).
// Finding their access tokens expired at once, each refreshes in turn
// with the token the other stored, never both with the same one: a
// reused refresh token would be refused and disconnect the shop.
func TestTwoInstancesRefreshingAtOnceStayConnected(t *testing.T) {
	pg := dbtest.Postgres(t)
	e := newEnv(t)
	e.post(t, seedShaped)
	var clients [2]*uc.Client
	for i := range clients {
		st, err := uc.NewSQLStore(t.Context(), pg.Open(t), testKey)
		if err != nil {
			t.Fatal(err)
		}
		clients[i] = newClient(t, e.srv.URL, st, e.clock)
	}
	code := e.authorize(t, "state-fleet")
	if err := clients[0].Exchange(t.Context(), code, testRedirect); err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := clients[1].GetOrder(t.Context(), seedOrderID); err != nil {
		t.Fatalf("the second instance with the stored token: %v", err)
	}
	e.sb.SetFaults(omsim.Faults{Latency: 20 * time.Millisecond}) // widen the race
	e.clock.Advance(301 * time.Second)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { _, errs[i] = clients[i%2].GetOrder(t.Context(), seedOrderID) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("reader %d on instance %d: %v", i, i%2, err)
		}
	}
	for i, c := range clients {
		if ok, _, err := c.Connected(t.Context()); !ok || err != nil {
			t.Fatalf("instance %d: connected %v, %v", i, ok, err)
		}
	}
}
