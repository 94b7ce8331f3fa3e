package metrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a settable clock for the reachability window.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// A provider stand-in counting HEAD probes and answering with status.
func fakeProvider(t *testing.T, status *atomic.Int32, probes *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			probes.Add(1)
		}
		w.WriteHeader(int(status.Load()))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// The provider's reachability comes from the last real call while it is
// fresh; only an older outcome costs a probe, and a probe's 5xx or a
// refused connection makes the provider not ready.
func TestReachableUsesLastCallThenProbes(t *testing.T) {
	t.Parallel()
	var status, probes atomic.Int32
	status.Store(http.StatusOK)
	srv := fakeProvider(t, &status, &probes)
	clock := &fakeClock{t: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)}
	m := New("test")
	p := NewProvider(m, http.DefaultTransport)
	p.now = clock.now
	p.SetBaseURL(srv.URL + "/")
	client := &http.Client{Transport: p}
	ctx := context.Background()

	resp, err := client.Get(srv.URL + "/ordermanagement/v1/orders/4c1fd4ae-order-id")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for range 5 {
		if err := p.Reachable(ctx); err != nil {
			t.Fatalf("after a good call: %v", err)
		}
	}
	if probes.Load() != 0 {
		t.Fatalf("%d probes while the last call was fresh", probes.Load())
	}

	clock.add(ReachableFor + time.Second)
	if err := p.Reachable(ctx); err != nil || probes.Load() != 1 {
		t.Fatalf("stale outcome: %v after %d probes, want one good probe", err, probes.Load())
	}
	if err := p.Reachable(ctx); err != nil || probes.Load() != 1 {
		t.Fatalf("the probe's outcome is not reused: %d probes", probes.Load())
	}

	clock.add(ReachableFor + time.Second)
	status.Store(http.StatusServiceUnavailable)
	if err := p.Reachable(ctx); err == nil {
		t.Fatal("a provider answering 503 is reachable")
	}
	status.Store(http.StatusOK)
	if err := p.Reachable(ctx); err == nil {
		t.Fatal("a failed probe's outcome was not kept for the window")
	}

	clock.add(ReachableFor + time.Second)
	srv.Close()
	if err := p.Reachable(ctx); err == nil {
		t.Fatal("a provider that refuses connections is reachable")
	}

	// The calls are counted by operation, the probes under their own name,
	// and no order id reaches a label.
	out := expose(t, m)
	for _, want := range []string{
		`ordercare_provider_calls_total{operation="get_order",ordercare_instance="test",outcome="2xx"} 1`,
		`ordercare_provider_calls_total{operation="readiness_probe",ordercare_instance="test",outcome="2xx"} 1`,
		`ordercare_provider_calls_total{operation="readiness_probe",ordercare_instance="test",outcome="5xx"} 1`,
		`ordercare_provider_calls_total{operation="readiness_probe",ordercare_instance="test",outcome="error"} 1`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("exposition lacks %s", want)
		}
	}
	if strings.Contains(out, "4c1fd4ae") {
		t.Error("an order id reached the metrics")
	}
}

// expose renders m's exposition as a scrape would.
func expose(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("exposition: %d", rec.Code)
	}
	return rec.Body.String()
}

// Many readiness checks at once with a stale outcome share one probe.
func TestConcurrentChecksShareOneProbe(t *testing.T) {
	t.Parallel()
	var status, probes atomic.Int32
	status.Store(http.StatusNotFound) // any answer under 500 is reachable
	srv := fakeProvider(t, &status, &probes)
	p := NewProvider(nil, http.DefaultTransport)
	p.SetBaseURL(srv.URL)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := p.Reachable(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if probes.Load() != 1 {
		t.Fatalf("%d probes for 20 concurrent checks, want 1", probes.Load())
	}
}
