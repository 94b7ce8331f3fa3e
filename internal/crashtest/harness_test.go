package crashtest

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	cmd := exec.Command(a.bin, args...) // #nosec G204 -- the binary this test built
	cmd.Env = a.env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		a.t.Errorf("admin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// server is a running `admin serve`.
type server struct {
	cmd  *exec.Cmd
	out  *proctest.LockedBuffer
	done chan error
}

// serve starts the back office and waits until /healthz answers 200.
func (a *admin) serve(ctx context.Context) *server {
	a.t.Helper()
	s := &server{out: &proctest.LockedBuffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(a.bin, "serve") // #nosec G204 -- the binary this test built
	s.cmd.Env = a.env
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	a.t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
	for {
		select {
		case err := <-s.done:
			a.t.Fatalf("server exited during start-up: %v\n%s", err, s.out)
		case <-ctx.Done():
			a.t.Fatalf("server not healthy in time\n%s", s.out)
		case <-time.After(50 * time.Millisecond):
		}
		resp, err := http.Get("http://" + a.addr + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
	}
}

// kill ends the server with SIGKILL: no shutdown, no deferred writes.
func (s *server) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-s.done
}

// stop ends the server the polite way and waits for it.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatalf("server stopped with %v\n%s", err, s.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server did not stop after SIGTERM\n%s", s.out)
	}
}
