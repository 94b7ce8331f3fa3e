package apptest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"ordercare/internal/app"
	"ordercare/internal/config"
	"ordercare/internal/omclient"
	"ordercare/internal/proctest"
	"ordercare/internal/staff"
)

// DemoPassword is the demo accounts' password in every app Start builds.
const DemoPassword = "e2e demo password" // #nosec G101 -- the test servers' demo accounts, never a real one

// CheapHashing keeps sign-in fast in tests (one argon2id pass over 1 MiB);
// the real parameters are tested in internal/staff.
func CheapHashing() staff.Options {
	return staff.Options{Params: &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}}
}

// Server is the real back office, built by app.Build from a Config as
// cmd/admin builds it, running on a loopback port (a browser such as
// Chromium needs a real one) with its own folder of databases and the
// built-in sandbox.
type Server struct {
	App    *app.App
	Config config.Config
	// URL is the back office's base address.
	URL string
	// Logs holds every line the app logged, for a failing test to show.
	Logs *proctest.LockedBuffer
}

// Start builds and runs the app for one test and stops it when the test
// ends; the test fails if the app does not stop cleanly within 30 s.
// configure, if any, adjust the settings first (approval thresholds,
// the shop, single sign-on).
func Start(t testing.TB, configure ...func(*config.Config)) *Server {
	t.Helper()
	cfg := config.Config{
		Addr:         "127.0.0.1:0",
		DBPath:       filepath.Join(t.TempDir(), "data", "admin.db"),
		OMProvider:   string(omclient.ProviderKustom),
		OMTimeout:    10 * time.Second,
		DemoPassword: DemoPassword,
	}
	for _, f := range configure {
		f(&cfg)
	}
	logs := &proctest.LockedBuffer{}
	// Background, not the test's context: the app must outlive the test
	// body until its cleanup stops it.
	a, err := app.Build(context.Background(), cfg,
		app.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))),
		app.WithOutput(io.Discard), app.WithStaffOptions(CheapHashing()))
	if err != nil {
		t.Fatalf("starting the back office: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("server did not stop within 30s")
		}
	})
	return &Server{App: a, Config: cfg, URL: a.URL(), Logs: logs}
}

// Browser is a new signed-out browser on the server.
func (s *Server) Browser() *Browser { return NewBrowser(s.URL, 0) }

// SignedIn is a browser signed in as the demo member of role; the test
// fails if the sign-in does.
func (s *Server) SignedIn(t testing.TB, role staff.Role) *Browser {
	t.Helper()
	b := s.Browser()
	if err := b.SignIn(Email(role), DemoPassword); err != nil {
		t.Fatal(err)
	}
	return b
}

// AddMember adds a member of role beside the demo accounts (an auditor, a
// second supervisor), with the demo password; the test fails if it
// cannot.
func (s *Server) AddMember(t testing.TB, email string, role staff.Role) {
	t.Helper()
	if _, err := s.App.Staff().Add(context.Background(), email, role, DemoPassword); err != nil {
		t.Fatalf("adding %s as %s: %v", email, role, err)
	}
}
