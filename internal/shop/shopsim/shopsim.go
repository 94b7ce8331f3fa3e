// Package shopsim holds what the shop platforms' sandboxes (epsim,
// ucsim) share: fault injection in the payment sandbox's vocabulary, an
// answer held back so a fault can cut it, and JSON answers.
package shopsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"ordercare/internal/omsim"
)

// Injector applies omsim.Faults to a sandbox's requests.
type Injector struct {
	mu    sync.Mutex
	f     omsim.Faults
	fired []int
}

// SetFaults replaces the fault configuration (and resets the counts).
func (in *Injector) SetFaults(f omsim.Faults) {
	in.mu.Lock()
	defer in.mu.Unlock()
	f.Rules = append([]omsim.FaultRule(nil), f.Rules...)
	in.f, in.fired = f, make([]int, len(f.Rules))
}

// sleepLatency waits the configured latency; false when the caller hung
// up meanwhile.
func (in *Injector) sleepLatency(r *http.Request) bool {
	in.mu.Lock()
	d := in.f.Latency
	in.mu.Unlock()
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// Take returns the first matching rule of the phase (before the operation,
// or after it: a lost or cut answer) with fires left, and counts it.
func (in *Injector) Take(r *http.Request, after bool) *omsim.FaultRule {
	in.mu.Lock()
	defer in.mu.Unlock()
	for i, rule := range in.f.Rules {
		isAfter := rule.Kind == omsim.FaultResetAfterApply || rule.Kind == omsim.FaultMalformedJSON
		if isAfter != after ||
			(rule.Method != "" && !strings.EqualFold(rule.Method, r.Method)) ||
			(rule.PathContains != "" && !strings.Contains(r.URL.Path, rule.PathContains)) ||
			(rule.Times > 0 && in.fired[i] >= rule.Times) {
			continue
		}
		in.fired[i]++
		return &rule
	}
	return nil
}

// Capture holds an answer so an after-fault can drop or cut it.
type Capture struct {
	header http.Header
	Status int
	Body   []byte
}

// newCapture returns an empty held answer.
func newCapture() *Capture { return &Capture{header: http.Header{}} }

func (c *Capture) Header() http.Header { return c.header }
func (c *Capture) WriteHeader(s int)   { c.Status = s }
func (c *Capture) Write(b []byte) (int, error) {
	if c.Status == 0 {
		c.Status = http.StatusOK
	}
	c.Body = append(c.Body, b...)
	return len(b), nil
}

// Flush sends the held answer.
func (c *Capture) Flush(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.Status)
	_, _ = w.Write(c.Body)
}

// WriteJSON answers v as JSON; fallback (the platform's error shape) when
// v cannot be encoded.
func WriteJSON(w http.ResponseWriter, status int, v any, fallback string) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(fallback)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Serve answers one request of a sandbox: the latency, a fault before the
// operation (fail writes the platform's error for it; a hang waits for
// the caller to give up), the operation (route), then a fault after it (a
// lost answer: the connection is cut; a malformed one: half the body).
func (in *Injector) Serve(w http.ResponseWriter, r *http.Request, route http.HandlerFunc, fail func(http.ResponseWriter, omsim.FaultKind)) {
	if !in.sleepLatency(r) {
		return
	}
	if f := in.Take(r, false); f != nil {
		if f.Kind == omsim.FaultHang {
			<-r.Context().Done()
			return
		}
		fail(w, f.Kind)
		return
	}
	rec := newCapture()
	route(rec, r)
	if f := in.Take(r, true); f != nil {
		switch f.Kind {
		case omsim.FaultResetAfterApply:
			// The operation is done; the answer is lost.
			panic(http.ErrAbortHandler)
		case omsim.FaultMalformedJSON:
			if rec.Status == http.StatusOK && len(rec.Body) > 1 {
				rec.Body = rec.Body[:len(rec.Body)/2]
			}
		}
	}
	rec.Flush(w)
}
