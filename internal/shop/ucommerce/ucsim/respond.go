package ucsim

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"ordercare/internal/omsim"
	"ordercare/internal/shop/elasticpath/epsim"
)

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"error-description":"encoding failed","error":"InternalServerError"}]}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers the documented error shape,
// {"errors":[{"error-description":"…","error":"NotFound"}]}.
func writeError(w http.ResponseWriter, status int, kind, description string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]string{{"error-description": description, "error": strings.ReplaceAll(kind, " ", "")}}})
}

// capture holds an answer so a fault can cut it.
type capture struct {
	header http.Header
	status int
	body   []byte
}

func (c *capture) Header() http.Header { return c.header }
func (c *capture) WriteHeader(s int)   { c.status = s }
func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	c.body = append(c.body, b...)
	return len(b), nil
}

func (c *capture) flush(w http.ResponseWriter) {
	for k, v := range c.header {
		w.Header()[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body)
}

// Faults are the payment sandbox's vocabulary (as in epsim). Fault503
// answers 504 here, the documentation's retryable failure; Fault500 its
// failure that is not retried. The API only reads, so a reset after
// applying is a plain lost answer (the connection is cut).
type (
	Faults    = epsim.Faults
	FaultRule = epsim.FaultRule
)

type faultState struct {
	mu    sync.Mutex
	f     Faults
	fired []int
}

// SetFaults replaces the fault configuration (and resets the counts).
func (s *Sandbox) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f.Rules = append([]FaultRule(nil), f.Rules...)
	s.faults.f, s.faults.fired = f, make([]int, len(f.Rules))
}

func (s *Sandbox) sleepLatency(r *http.Request) bool {
	s.faults.mu.Lock()
	d := s.faults.f.Latency
	s.faults.mu.Unlock()
	if d <= 0 {
		return true
	}
	select {
	case <-time.After(d):
		return true
	case <-r.Context().Done():
		return false
	}
}

// takeFault returns the first rule of the phase that matches and has
// fires left.
func (s *Sandbox) takeFault(r *http.Request, after bool) *FaultRule {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, rule := range s.faults.f.Rules {
		if (rule.Kind == epsim.FaultMalformedJSON || rule.Kind == epsim.FaultResetAfterApply) != after {
			continue
		}
		if rule.Method != "" && !strings.EqualFold(rule.Method, r.Method) || rule.PathContains != "" && !strings.Contains(r.URL.Path, rule.PathContains) {
			continue
		}
		if rule.Times > 0 && s.faults.fired[i] >= rule.Times {
			continue
		}
		s.faults.fired[i]++
		return &rule
	}
	return nil
}

func faultStatus(k omsim.FaultKind) int {
	if k == epsim.Fault503 {
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
