package ucsim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omsim"
	uc "ordercare/internal/shop/ucommerce"
	"ordercare/internal/shop/ucommerce/ucsim"
)

const (
	testID       = "uc-client-id-test"
	testSecret   = "uc-client-secret-test"
	testRedirect = "https://backoffice.example/shop/connect/callback"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

type env struct {
	sb     *ucsim.Sandbox
	srv    *httptest.Server
	client *uc.Client
	store  *uc.SQLStore
	db     *db.DB
	clock  *omsim.FakeClock
}

// newEnv serves a sandbox over real HTTP, opens an admin database with
// the encrypted token store and points a client at both; client and
// sandbox share one fake clock. It does not connect (see connect).
func newEnv(t *testing.T) *env {
	t.Helper()
	clock := omsim.NewFakeClock(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC))
	sb, err := ucsim.New(ucsim.Options{ClientID: testID, ClientSecret: testSecret, Clock: clock, RedirectURIs: []string{testRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	st, err := uc.NewSQLStore(t.Context(), d, testKey)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, srv: srv, store: st, db: d, clock: clock, client: newClient(t, srv.URL, st, clock)}
}

func newClient(t *testing.T, base string, st uc.TokenStore, clock *omsim.FakeClock) *uc.Client {
	t.Helper()
	c, err := uc.New(uc.Config{BaseURL: base, ClientID: testID, ClientSecret: testSecret, Store: st, Now: clock.Now,
		Timeout: 5 * time.Second, BaseDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// connect runs the authorization-code flow over HTTP as a browser would:
// the connect URL answers 302 to the redirect URL with the code and the
// state, and the code is exchanged.
func (e *env) connect(t *testing.T) {
	t.Helper()
	code := e.authorize(t, "state-1")
	if err := e.client.Exchange(t.Context(), code, testRedirect); err != nil {
		t.Fatalf("exchange: %v", err)
	}
}

func (e *env) authorize(t *testing.T, state string) string {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(e.client.AuthorizeURL(testRedirect, state))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("connect: HTTP %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Query().Get("state"); got != state {
		t.Fatalf("state %q came back as %q", state, got)
	}
	return loc.Query().Get("code")
}

// post sends a sandbox order in the platform's shape, with an access
// token of its own (got over HTTP like any client).
func (e *env) post(t *testing.T, body string) {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {e.authorize(t, "s")}, "redirect_uri": {testRedirect}}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/api/v1/oauth/token", strings.NewReader(form.Encode()))
	req.SetBasicAuth(testID, testSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status := do(t, req, &tok); status != http.StatusOK {
		t.Fatalf("token: HTTP %d", status)
	}
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodPost, e.srv.URL+"/sandbox/orders", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if status := do(t, req, nil); status != http.StatusCreated {
		t.Fatalf("POST /sandbox/orders: HTTP %d", status)
	}
}

func do(t *testing.T, req *http.Request, out any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	return resp.StatusCode
}

// memStore keeps a refresh token in memory (for a second client).
type memStore struct {
	tok string
	exp time.Time
}

func (m *memStore) Load(context.Context) (string, time.Time, error) {
	if m.tok == "" {
		return "", time.Time{}, uc.ErrNotConnected
	}
	return m.tok, m.exp, nil
}

func (m *memStore) Save(_ context.Context, t string, exp time.Time) error {
	m.tok, m.exp = t, exp
	return nil
}

func (m *memStore) Forget(context.Context) error { m.tok = ""; return nil }
