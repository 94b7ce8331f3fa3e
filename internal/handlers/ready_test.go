package handlers_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/handlers"
	"ordercare/internal/metrics"
	"ordercare/internal/session"
)

// probeServer is the web layer with what /readyz and /metrics read: the
// database, the audit log, a provider check the test turns on and off,
// and optionally metrics with a token.
type probeServer struct {
	srv      *httptest.Server
	db       *db.DB
	audit    *audit.Log
	provider atomic.Pointer[error] // nil: reachable
}

func newProbeServer(t *testing.T, m *metrics.Metrics, token string) *probeServer {
	t.Helper()
	st := openStores(t, nil)
	d, ss, al := st.db, st.sessions, st.audit
	p := &probeServer{db: d, audit: al}
	h := &handlers.Handlers{
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		Sessions: session.NewManager(ss, false),
		DB:       d,
		Audit:    al,
		ProviderReachable: func(context.Context) error {
			if err := p.provider.Load(); err != nil {
				return *err
			}
			return nil
		},
		Metrics:      m,
		MetricsToken: token,
	}
	e, err := h.Echo()
	if err != nil {
		t.Fatal(err)
	}
	p.srv = httptest.NewServer(e)
	t.Cleanup(p.srv.Close)
	return p
}

func (p *probeServer) do(t *testing.T, method, path, auth string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), method, p.srv.URL+path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// /readyz answers 200 only while the database answers, the audit log is
// writable and the provider answered lately; each failing part turns it
// to 503 and is named, GET and HEAD alike, with no session cookie.
func TestReadyzNamesEachFailingPart(t *testing.T) {
	t.Parallel()
	p := newProbeServer(t, nil, "")
	for _, m := range []string{http.MethodGet, http.MethodHead} {
		code, body, hdr := p.do(t, m, "/readyz", "")
		if code != http.StatusOK || len(hdr.Values("Set-Cookie")) != 0 {
			t.Fatalf("%s /readyz, all well: %d %q cookies %v", m, code, body, hdr.Values("Set-Cookie"))
		}
		if m == http.MethodHead && body != "" {
			t.Fatalf("HEAD /readyz has a body: %q", body)
		}
	}

	unreachable := errors.New("dial tcp: connection refused")
	p.provider.Store(&unreachable)
	expectNotReady(t, p, "provider")
	p.provider.Store(nil)

	p.audit.Close()
	expectNotReady(t, p, "audit log")

	p.db.Close()
	code, body, _ := p.do(t, http.MethodGet, "/readyz", "")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "database: not ready") || !strings.Contains(body, "audit log: not ready") {
		t.Fatalf("database and audit log down: %d %q", code, body)
	}
}

// expectNotReady checks that exactly part fails, over GET and HEAD.
func expectNotReady(t *testing.T, p *probeServer, part string) {
	t.Helper()
	code, body, _ := p.do(t, http.MethodGet, "/readyz", "")
	if code != http.StatusServiceUnavailable || body != part+": not ready\n" {
		t.Fatalf("%s down: %d %q, want 503 naming only it", part, code, body)
	}
	if code, _, _ := p.do(t, http.MethodHead, "/readyz", ""); code != http.StatusServiceUnavailable {
		t.Fatalf("HEAD with %s down: %d", part, code)
	}
}
