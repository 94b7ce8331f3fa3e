package fleettest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"sync/atomic"
	"testing"
	"time"

	"ordercare/internal/proctest"
)

// stopProcess ends an instance or the sandbox the polite way and waits
// for it; it may run in the test's goroutines.
func stopProcess(t *testing.T, p *proctest.Process) {
	t.Helper()
	if err := p.Stop(t, 60*time.Second); err != nil {
		t.Errorf("%s stopped with %v\n%s", p.Name, err, p.Out)
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
