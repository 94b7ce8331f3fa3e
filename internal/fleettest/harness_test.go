package fleettest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ordercare/internal/proctest"
)

// run runs the built binary to completion with env and stdin; a failure
// is reported with Errorf, so it may run in goroutines.
func run(t *testing.T, bin string, env []string, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...) // #nosec G204 -- the binary this test built
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("admin %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// process is a running child: `admin serve` or `admin sandbox`.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *proctest.LockedBuffer
	done chan error
}

// start runs `bin args...` with env and waits until ready answers true
// (polled), or ctx ends.
func start(ctx context.Context, t *testing.T, name, bin string, env []string, ready func() bool, args ...string) *process {
	t.Helper()
	p := &process{name: name, out: &proctest.LockedBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(bin, args...) // #nosec G204 -- the binary this test built
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
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
			t.Fatalf("%s exited during start-up: %v\n%s", name, err, p.out)
		case <-ctx.Done():
			t.Fatalf("%s not ready in time\n%s", name, p.out)
		case <-time.After(50 * time.Millisecond):
		}
	}
	return p
}

// answers200 reports whether GET u (with Basic auth when user is set)
// answers 200.
func answers200(u, user, pass string) bool {
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
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// kill ends the process with SIGKILL: no shutdown, no deferred writes.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

// stop ends the process the polite way and waits for it.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("%s stopped with %v\n%s", p.name, err, p.out)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not stop after SIGTERM\n%s", p.name, p.out)
	}
}

// proxy is the load balancer in front of the instances: round robin over
// the instances not marked down, through httputil.ReverseProxy. A request
// an instance refused at connect (it is dead and not yet marked) goes to
// the next one: it never reached the dead one. Any other failure (the
// instance died with the request on it) answers 502 with X-Fleet-Proxy,
// as a load balancer would, and the request is not sent elsewhere: it may
// have been applied.
type proxy struct {
	backends []*backend
	next     atomic.Uint64
	tr       *http.Transport
	handler  http.Handler
}

type backend struct {
	name string
	host string
	down atomic.Bool
}

const proxyHeader = "X-Fleet-Proxy"

func newProxy(backends []*backend) *proxy {
	p := &proxy{backends: backends, tr: &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}
	rp := &httputil.ReverseProxy{
		// The host is chosen per attempt in RoundTrip.
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.Out.URL.Scheme, pr.Out.URL.Host = "http", "fleet.invalid" },
		Transport: p,
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			w.Header().Set(proxyHeader, "no answer: "+err.Error())
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	p.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The body is kept so a request a dead instance refused at
		// connect can go to the next one.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		rp.ServeHTTP(w, r)
	})
	return p
}

func (p *proxy) RoundTrip(r *http.Request) (*http.Response, error) {
	n := uint64(len(p.backends))
	first := p.next.Add(1)
	err := errors.New("every instance is down")
	for i := range n {
		b := p.backends[(first+i)%n]
		if b.down.Load() {
			continue
		}
		out := r.Clone(r.Context())
		out.URL.Host, out.Host = b.host, b.host
		if r.GetBody != nil {
			out.Body, _ = r.GetBody()
		}
		var resp *http.Response
		if resp, err = p.tr.RoundTrip(out); err == nil {
			return resp, nil
		}
		var op *net.OpError
		if !errors.As(err, &op) || op.Op != "dial" {
			return nil, err
		}
	}
	return nil, err
}
