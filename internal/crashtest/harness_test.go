package crashtest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"ordercare/internal/proctest"
)

// admin runs the built binary with the test's settings.
type admin struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
}

func newAdmin(t *testing.T, bin, dataDir, addr, demoPassword string) *admin {
	env := proctest.Environ("ORDERCARE_DB="+filepath.Join(dataDir, "admin.db"), "ORDERCARE_ADDR="+addr,
		"ORDERCARE_DEMO_PASSWORD="+demoPassword,
		// The 50 agents are made with `admin user add`; this test is about
		// crashes, not their second factor (tested in handlers and e2e).
		"ORDERCARE_MFA=off")
	return &admin{t: t, bin: bin, env: env, addr: addr}
}

// command runs `admin args...` to completion with stdin; a failure is
// reported with Errorf, so it may run in goroutines.
func (a *admin) command(stdin string, args ...string) string {
	a.t.Helper()
	return proctest.Run(a.t, a.bin, a.env, stdin, args...)
}

// server is a running `admin serve`.
type server struct{ *proctest.Process }

// serve starts the back office and waits until /healthz answers 200.
func (a *admin) serve(ctx context.Context) *server {
	a.t.Helper()
	healthy := func() bool { return proctest.Answers200("http://"+a.addr+"/healthz", "", "") }
	return &server{proctest.Start(ctx, a.t, "server", a.bin, a.env, healthy, "serve")}
}

// kill ends the server with SIGKILL: no shutdown, no deferred writes.
func (s *server) kill(t *testing.T) {
	t.Helper()
	s.Kill(t)
}

// stop ends the server the polite way and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.Stop(t, 30*time.Second); err != nil {
		t.Fatalf("server stopped with %v\n%s", err, s.Out)
	}
}
