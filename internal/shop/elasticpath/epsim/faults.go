package epsim

import (
	"net/http"
	"strings"
	"sync"
	"time"

	"ordercare/internal/omsim"
)

// Faults, FaultRule and the fault kinds are the payment sandbox's
// (omsim): one vocabulary for both sandboxes. Fault429 answers 503 here
// (the platform documents no rate-limit answer).
type (
	Faults    = omsim.Faults
	FaultRule = omsim.FaultRule
)

// The fault kinds the shop sandbox injects.
const (
	Fault500             = omsim.Fault500
	Fault503             = omsim.Fault503
	FaultHang            = omsim.FaultHang
	FaultResetAfterApply = omsim.FaultResetAfterApply
	FaultMalformedJSON   = omsim.FaultMalformedJSON
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
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// takeFault returns the first matching rule of the phase (before or after
// the operation) with fires left, and counts it.
func (s *Sandbox) takeFault(r *http.Request, after bool) *FaultRule {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, rule := range s.faults.f.Rules {
		isAfter := rule.Kind == FaultResetAfterApply || rule.Kind == FaultMalformedJSON
		if isAfter != after ||
			(rule.Method != "" && !strings.EqualFold(rule.Method, r.Method)) ||
			(rule.PathContains != "" && !strings.Contains(r.URL.Path, rule.PathContains)) ||
			(rule.Times > 0 && s.faults.fired[i] >= rule.Times) {
			continue
		}
		s.faults.fired[i]++
		return &rule
	}
	return nil
}

func faultStatus(k omsim.FaultKind) int {
	if k == Fault503 {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
