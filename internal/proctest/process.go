package proctest

import (
	"context"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Run runs bin with args to completion, with env and stdin, and returns
// its output. A failure is reported with Errorf, so it may run in the
// test's goroutines.
func Run(t testing.TB, bin string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...) // #nosec G204 -- the binary the test built
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("admin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Process is a running child (`admin serve`, `admin sandbox`); Out holds
// what it printed, for a failure to show.
type Process struct {
	Name string
	Out  *LockedBuffer
	cmd  *exec.Cmd
	done chan error
}

// Start runs bin with args and env and waits until ready reports true
// (polled every 50 ms); it fails the test if the child exits first or ctx
// ends. A child still running when the test ends is killed.
func Start(ctx context.Context, t testing.TB, name, bin string, env []string, ready func() bool, args ...string) *Process {
	t.Helper()
	p := &Process{Name: name, Out: &LockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...) // #nosec G204 -- the binary the test built
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.Out, p.Out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	for !ready() {
		select {
		case err := <-p.done:
			t.Fatalf("%s exited during start-up: %v\n%s", name, err, p.Out)
		case <-ctx.Done():
			t.Fatalf("%s not ready in time\n%s", name, p.Out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return p
}

// Kill ends the child with SIGKILL: no shutdown, no deferred writes.
func (p *Process) Kill(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// Stop ends the child the polite way (SIGTERM) and returns how it exited;
// the test fails if it has not stopped within the given time.
func (p *Process) Stop(t testing.TB, within time.Duration) error {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		return err
	case <-time.After(within):
		t.Fatalf("%s did not stop after SIGTERM\n%s", p.Name, p.Out)
		return nil
	}
}

// Answers200 reports whether GET u (with Basic auth when user is set)
// answers 200: a child's readiness.
func Answers200(u, user, pass string) bool {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return false
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}
