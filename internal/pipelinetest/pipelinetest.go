// Package pipelinetest builds the real change pipeline for the tests of the
// packages around it (approvals, outbox, intake, reliability): the sandbox
// served over HTTP, the real client, and a real audit log, admin.db and
// order index in the test's temp folder. Only _test files import it.
package pipelinetest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// Credentials of the sandbox's API user.
const (
	User     = "u"
	Password = "p"
)

// Options adjust New; the zero value is a quiet, empty sandbox of the
// default provider, two tries a millisecond apart, a 10 s timeout and the
// real clock.
type Options struct {
	// Provider is the sandbox's and the client's provider.
	Provider omclient.Provider
	// Clock is the sandbox's clock (nil: real time); give Now its Now to
	// keep the pipeline on the same time.
	Clock omsim.Clock
	// Demo fills the sandbox with its demo orders.
	Demo bool
	// ClientPassword, when set, is the client's password instead of the
	// sandbox's, for a provider that refuses the back office.
	ClientPassword string
	// Wrap puts a handler in front of the sandbox (to record requests or
	// cut connections); nil serves the sandbox directly.
	Wrap func(sb *omsim.Sandbox) http.Handler
	// Retry is the client's retry policy.
	Retry omclient.RetryPolicy
	// Timeout bounds one client call.
	Timeout time.Duration
	// Now is the pipeline's clock.
	Now func() time.Time
}

// Env is one pipeline and everything it stands on; New closes it all when
// the test ends.
type Env struct {
	Sandbox *omsim.Sandbox
	// URL is the sandbox's address (through Wrap).
	URL    string
	Client *omclient.Client
	Log    *audit.Log
	Admin  *db.DB
	Index  *orders.Index
	Orders *orders.Service
}

// New builds the pipeline or fails the test.
func New(t testing.TB, o Options) *Env {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	sb, err := omsim.New(ctx, omsim.Options{Provider: o.Provider, Username: User, Password: Password, Clock: o.Clock, Demo: o.Demo,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	must(err)
	t.Cleanup(func() { _ = sb.Close() })
	var h http.Handler = sb
	if o.Wrap != nil {
		h = o.Wrap(sb)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if o.Retry == (omclient.RetryPolicy{}) {
		o.Retry = omclient.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	pass := Password
	if o.ClientPassword != "" {
		pass = o.ClientPassword
	}
	client, err := omclient.New(omclient.Config{BaseURL: srv.URL, Provider: o.Provider, Username: User, Password: pass, Timeout: o.Timeout, Retry: o.Retry})
	must(err)
	dir := t.TempDir()
	log, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	must(err)
	t.Cleanup(func() { _ = log.Close() })
	adm, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	must(err)
	t.Cleanup(func() { _ = adm.Close() })
	ix, err := orders.OpenIndex(ctx, adm)
	must(err)
	t.Cleanup(func() { _ = ix.Close() }) // before the database: it writes the views still waiting
	return &Env{Sandbox: sb, URL: srv.URL, Client: client, Log: log, Admin: adm, Index: ix,
		Orders: orders.NewService(client, log, ix, o.Now)}
}
