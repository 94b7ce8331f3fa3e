package app_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/app"
	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

var cheap = apptest.CheapHashing()

func testConfig(t *testing.T) config.Config {
	t.Helper()
	return config.Config{
		Addr:       "127.0.0.1:0",
		DBPath:     filepath.Join(t.TempDir(), "data", "admin.db"),
		OMProvider: "kustom",
		OMTimeout:  10 * time.Second,
	}
}

func start(t *testing.T, cfg config.Config, out io.Writer) (*app.App, func() error) {
	t.Helper()
	a, err := app.Build(t.Context(), cfg, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
		app.WithOutput(out), app.WithStaffOptions(cheap))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("Run did not return after cancel")
		}
	})
	t.Cleanup(func() { stop() })
	return a, stop
}

func TestSandboxModeEndToEnd(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg := testConfig(t)
	a, stop := start(t, cfg, &out)

	// The random demo password is printed once, and works.
	pw := a.DemoPassword()
	if len(pw) < 12 || !strings.Contains(out.String(), pw) {
		t.Fatalf("demo password %q not printed: %q", pw, out.String())
	}
	resp, err := http.Get(a.URL() + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp.Body.Close()

	// The sign-in page names the demo accounts, never their password.
	resp, err = http.Get(a.URL() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	login, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, d := range app.DemoAccounts {
		if !bytes.Contains(login, []byte(d.Email)) {
			t.Errorf("the sign-in page does not name the demo account %s", d.Email)
		}
	}
	if bytes.Contains(login, []byte(pw)) {
		t.Error("the sign-in page shows the demo password")
	}

	// Every demo order is in the search index.
	ids, err := a.Sandbox().OrderIDs(t.Context())
	if err != nil || len(ids) == 0 {
		t.Fatalf("sandbox orders: %v %d", err, len(ids))
	}
	pg, err := a.Index().Search(t.Context(), orders.SearchQuery{Limit: 100})
	if err != nil || len(pg.Orders) != len(ids) {
		t.Fatalf("index has %d of %d sandbox orders (%v)", len(pg.Orders), len(ids), err)
	}

	// Sign in as each demo account through the real server.
	for _, d := range app.DemoAccounts {
		signIn(t, a.URL(), d.Email, pw)
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Restart on the same files with a chosen password: the accounts are
	// kept and take it; nothing is indexed twice.
	cfg.DemoPassword = "chosen demo password"
	out.Reset()
	a2, _ := start(t, cfg, &out)
	if strings.Contains(out.String(), "chosen demo password") {
		t.Fatal("a configured password was printed")
	}
	list, err := a2.Staff().List(t.Context())
	if err != nil || len(list) != 3 {
		t.Fatalf("staff after restart: %v %d", err, len(list))
	}
	if _, err := a2.Staff().Authenticate(t.Context(), "agent@example.com", "chosen demo password", "127.0.0.1"); err != nil {
		t.Fatalf("configured demo password: %v", err)
	}
}

// signIn signs in through the sign-in form of the sandbox-mode server at
// base (whose banner must say so) and returns a client holding the
// session.
func signIn(t *testing.T, base, email, pw string) *http.Client {
	t.Helper()
	b := apptest.NewBrowser(base, 0)
	login := b.MustDo(t, http.MethodGet, "/login", nil, nil)
	if env, _ := login.Doc.Find(`[data-testid="env-banner"]`).Attr("data-env"); env != "sandbox" {
		t.Fatalf("banner %q", env)
	}
	if err := b.SignIn(email, pw); err != nil {
		t.Fatal(err)
	}
	return b.Client
}

// The demo accounts get one shared password hash from the first start on,
// so restarting with the same demo password writes nothing and an agent
// signed in before the restart is still signed in after it.
func TestDemoRestartKeepsSessions(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.DemoPassword = "same demo password"
	a, stop := start(t, cfg, io.Discard)
	c := signIn(t, a.URL(), "agent@example.com", cfg.DemoPassword)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	b, _ := start(t, cfg, io.Discard)
	// The cookie jar is keyed by host, and the restart listens on a new
	// port of the same host.
	r, err := c.Get(b.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("start page after the restart: %d (%s), want 200: the restart ended the session", r.StatusCode, r.Header.Get("Location"))
	}
}

func TestRealProviderHasNoDemoAccounts(t *testing.T) {
	t.Parallel()
	sb, err := omsim.New(t.Context(), omsim.Options{Username: "u", Password: "p", Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	cfg := testConfig(t)
	cfg.OMURL, cfg.OMUser, cfg.OMPassword = srv.URL, "u", "p"
	var out bytes.Buffer
	a, _ := start(t, cfg, &out)
	if a.Sandbox() != nil || a.DemoPassword() != "" || out.Len() != 0 {
		t.Fatalf("sandbox or demo password against a provider: %v %q %q", a.Sandbox(), a.DemoPassword(), out.String())
	}
	list, err := a.Staff().List(t.Context())
	if err != nil || len(list) != 0 {
		t.Fatalf("demo accounts against a provider: %+v", list)
	}
}

func TestBuildFailsWithOneLine(t *testing.T) {
	t.Parallel()
	first, _ := start(t, testConfig(t), io.Discard)
	cfg := testConfig(t)
	cfg.Addr = first.Addr() // taken
	_, err := app.Build(t.Context(), cfg, app.WithOutput(io.Discard), app.WithStaffOptions(cheap),
		app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "cannot listen") {
		t.Fatalf("busy port: %v", err)
	}
}

// TestShutdownLetsInFlightRequestsFinish stops the server while an order
// page waits on a slow provider: the page still arrives complete.
func TestShutdownLetsInFlightRequestsFinish(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.DemoPassword = "shutdown demo pw"
	a, stop := start(t, cfg, io.Discard)
	ids, err := a.Sandbox().OrderIDs(t.Context())
	if err != nil || len(ids) == 0 {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	r, err := c.Get(a.URL() + "/login")
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(r.Body)
	r.Body.Close()
	tok, _ := doc.Find(`input[name="_csrf"]`).Attr("value")
	r, err = c.PostForm(a.URL()+"/login", url.Values{"_csrf": {tok}, "email": {"agent@example.com"}, "password": {cfg.DemoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()

	a.Sandbox().SetFaults(omsim.Faults{Latency: time.Second})
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	wrote := make(chan struct{})
	go func() {
		trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { close(wrote) }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), http.MethodGet, a.URL()+"/orders/"+ids[0], nil)
		r, err := c.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		got <- result{r.StatusCode, string(b), err}
	}()
	<-wrote
	time.Sleep(200 * time.Millisecond) // let the server pick it up; the provider takes a second
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	res := <-got
	if res.err != nil || res.status != http.StatusOK || !strings.Contains(res.body, `data-testid="order-page"`) {
		t.Fatalf("in-flight request: %v %d", res.err, res.status)
	}
	if _, err := c.Get(a.URL() + "/healthz"); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

// A restart indexes the sandbox orders its search index lacks (here one
// created while the back office was down, which only a read puts in the
// index) and leaves those an earlier run indexed, instead of reading all
// of them again before it answers.
func TestRestartIndexesOnlyWhatTheIndexLacks(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	ctx := t.Context()
	a, stop := start(t, cfg, io.Discard)
	ids, err := a.Sandbox().OrderIDs(ctx)
	if err != nil || len(ids) == 0 {
		t.Fatalf("sandbox orders: %v %d", err, len(ids))
	}
	src, err := a.Sandbox().Order(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	added, err := a.Sandbox().CreateOrder(ctx, omsim.NewOrder{PurchaseCountry: string(src.PurchaseCountry),
		PurchaseCurrency: string(src.PurchaseCurrency), Locale: string(src.Locale), OrderAmount: src.OrderAmount,
		OrderLines: src.OrderLines, BillingAddress: src.BillingAddress, MerchantReference1: "ADDED-WHILE-DOWN"})
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	var logs bytes.Buffer
	b, err := app.Build(ctx, cfg, app.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		app.WithOutput(io.Discard), app.WithStaffOptions(cheap))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pg, err := b.Index().Search(ctx, orders.SearchQuery{Q: "ADDED-WHILE-DOWN", Limit: 10})
	if err != nil || len(pg.Orders) != 1 || pg.Orders[0].OrderID != added {
		t.Fatalf("search for the order added while down after restart: %v %+v", err, pg.Orders)
	}
	want := fmt.Sprintf("count=1 already_indexed=%d", len(ids))
	if !strings.Contains(logs.String(), want) {
		t.Fatalf("restart log lacks %q:\n%s", want, logs.String())
	}
}

// Without a configured demo password every run makes its own: after a
// restart the new one signs in and the old one no longer does.
func TestDemoRestartWithAGeneratedPassword(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	a, stop := start(t, cfg, io.Discard)
	old := a.DemoPassword()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	b, _ := start(t, cfg, &out)
	pw := b.DemoPassword()
	if pw == old || !strings.Contains(out.String(), pw) {
		t.Fatalf("restart: password %q (before %q), printed %q", pw, old, out.String())
	}
	for _, d := range app.DemoAccounts {
		if _, err := b.Staff().Authenticate(t.Context(), d.Email, pw, "127.0.0.1"); err != nil {
			t.Fatalf("%s with this run's password: %v", d.Email, err)
		}
		if _, err := b.Staff().Authenticate(t.Context(), d.Email, old, "127.0.0.1"); err == nil {
			t.Fatalf("%s still signs in with the last run's password", d.Email)
		}
	}
}

// ORDERCARE_OM_TIMEOUT bounds changes as well as reads: a provider that
// hangs held an agent's change for the client's own 30 s default.
func TestProviderTimeoutBoundsChangesToo(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.OMTimeout = 5 * time.Second
	a, _ := start(t, cfg, io.Discard)
	if got := a.Client().Timeout(); got != cfg.OMTimeout {
		t.Fatalf("a change may wait %v for the provider, want ORDERCARE_OM_TIMEOUT (%v)", got, cfg.OMTimeout)
	}
}

// TestEveryLogLineNamesTheInstance: the lines an instance logs, from its
// start to its stop, each carry instance=ORDERCARE_INSTANCE.
func TestEveryLogLineNamesTheInstance(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Metrics.Instance = "web-2"
	var logs bytes.Buffer
	a, err := app.Build(t.Context(), cfg, app.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
		app.WithOutput(io.Discard), app.WithStaffOptions(cheap))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("the start logged nothing to check")
	}
	for _, l := range lines {
		if !strings.Contains(l, " instance=web-2") {
			t.Fatalf("a log line without the instance: %s", l)
		}
	}
}

// TestAuditEventsNameTheInstance: what an instance appends to the audit
// log records ORDERCARE_INSTANCE.
func TestAuditEventsNameTheInstance(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.Metrics.Instance = "web-3"
	a, _ := start(t, cfg, io.Discard)
	e, err := a.Audit().Append(t.Context(), audit.Event{Kind: audit.KindSignIn, Actor: audit.Actor{Email: "agent@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Instance != "web-3" {
		t.Fatalf("event written by instance %q, want web-3", e.Instance)
	}
}
