package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"ordercare/internal/omclient"
)

// ReachableFor is how long the outcome of the last provider call stands
// for the provider's reachability before a readiness check probes again.
const ReachableFor = 10 * time.Second

// probeOperation labels the readiness probe's own request.
const probeOperation = "readiness_probe"

// otherOperation labels a request to the provider that is none of the
// Order Management API's operations.
const otherOperation = "other"

// Provider instruments the HTTP transport of the provider client and
// remembers whether the provider answered lately, for /readyz.
type Provider struct {
	m       *Metrics // nil: no metrics, reachability only
	next    http.RoundTripper
	baseURL string
	now     func() time.Time

	mu      sync.Mutex // guards last and lastErr; probeMu serialises probes
	last    time.Time
	lastErr error
	probeMu sync.Mutex
}

// NewProvider wraps next (the transport the provider client would use).
// m may be nil. baseURL is probed when no call answered for ReachableFor;
// it may be set later with SetBaseURL.
func NewProvider(m *Metrics, next http.RoundTripper) *Provider {
	if next == nil {
		next = http.DefaultTransport
	}
	return &Provider{m: m, next: next, now: time.Now}
}

// SetBaseURL sets the URL the readiness probe asks (the client's base URL).
func (p *Provider) SetBaseURL(u string) { p.baseURL = u }

type probeKey struct{}

// RoundTrip sends the request, counts it under its operation and outcome,
// and records whether the provider answered. A 5xx counts as not
// reachable: the provider is there but cannot serve.
func (p *Provider) RoundTrip(r *http.Request) (*http.Response, error) {
	start := p.now()
	resp, err := p.next.RoundTrip(r)
	outcome := "error"
	var failure error = err
	if err == nil {
		outcome = statusClass(resp.StatusCode)
		if resp.StatusCode >= 500 {
			failure = fmt.Errorf("provider answered %d", resp.StatusCode)
		}
	}
	p.record(failure)
	if p.m != nil {
		op := operationOf(r)
		p.m.providerCalls.WithLabelValues(op, outcome).Inc()
		p.m.providerSeconds.WithLabelValues(op).Observe(p.now().Sub(start).Seconds())
	}
	return resp, err
}

// operationOf is the request's operation name: never its path, which
// holds order and capture ids.
func operationOf(r *http.Request) string {
	if r.Context().Value(probeKey{}) != nil {
		return probeOperation
	}
	if op, ok := omclient.OperationOf(r.Method, r.URL.Path); ok {
		return string(op)
	}
	return otherOperation
}

func (p *Provider) record(err error) {
	p.mu.Lock()
	p.last, p.lastErr = p.now(), err
	p.mu.Unlock()
}

// recent returns the last outcome when it is fresh.
func (p *Provider) recent() (err error, fresh bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last.IsZero() || p.now().Sub(p.last) > ReachableFor {
		return nil, false
	}
	return p.lastErr, true
}

// Reachable reports whether the provider answered lately: the last call's
// outcome when it is under ReachableFor old, else one light probe (HEAD of
// the base URL, no credentials; any answer under 500 counts). Concurrent
// checks share one probe.
func (p *Provider) Reachable(ctx context.Context) error {
	if err, fresh := p.recent(); fresh {
		return err
	}
	p.probeMu.Lock()
	defer p.probeMu.Unlock()
	if err, fresh := p.recent(); fresh { // another check probed meanwhile
		return err
	}
	if p.baseURL == "" {
		return errors.New("no provider URL to probe")
	}
	req, err := http.NewRequestWithContext(context.WithValue(ctx, probeKey{}, true), http.MethodHead, p.baseURL, nil)
	if err != nil {
		return err
	}
	resp, err := p.RoundTrip(req)
	if err != nil {
		return fmt.Errorf("provider unreachable: %w", err)
	}
	_ = resp.Body.Close() // HEAD: nothing to read
	if resp.StatusCode >= 500 {
		return fmt.Errorf("provider answered %d", resp.StatusCode)
	}
	return nil
}
