package omsim

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is one kind of injected failure.
type FaultKind int

const (
	// Fault500 answers 500 INTERNAL_SERVER_ERROR without running the operation.
	Fault500 FaultKind = iota + 1
	// Fault503 answers 503 TEMPORARILY_UNAVAILABLE without running the operation.
	Fault503
	// Fault429 answers 429 TOO_MANY_REQUESTS with Retry-After, without running the operation.
	Fault429
	// FaultResetAfterApply runs the operation (the change is applied and,
	// with a key, its response saved), then closes the connection without
	// answering: the client cannot know the outcome.
	FaultResetAfterApply
	// FaultMalformedJSON runs the operation and, when it answers 200,
	// truncates the JSON body.
	FaultMalformedJSON
	// FaultHang holds the request without running it until the client's
	// context is done (a timeout on the client's side).
	FaultHang
)

func (k FaultKind) String() string {
	switch k {
	case Fault500:
		return "500"
	case Fault503:
		return "503"
	case Fault429:
		return "429"
	case FaultResetAfterApply:
		return "reset-after-apply"
	case FaultMalformedJSON:
		return "malformed-json"
	case FaultHang:
		return "hang"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// FaultRule injects one kind of fault into matching requests.
type FaultRule struct {
	// Method matches the HTTP method; "" matches any.
	Method string
	// PathContains matches a substring of the path; "" matches any.
	PathContains string
	Kind         FaultKind
	// Times is how many matching requests get the fault; 0 = every one.
	Times int
	// RetryAfter is sent with Fault429 (rounded up to whole seconds; 0 = 1 s).
	RetryAfter time.Duration
}

// Faults is the fault-injection configuration; the zero value injects
// nothing (the default).
type Faults struct {
	// Latency delays every request before it is handled.
	Latency time.Duration
	// Rules are tried in order; the first matching rule with fires left
	// applies.
	Rules []FaultRule
}

type faultState struct {
	mu    sync.Mutex
	f     Faults
	fired []int // per rule, how often it fired
}

// SetFaults replaces the fault configuration (and resets the counts).
func (s *Sandbox) SetFaults(f Faults) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	f.Rules = append([]FaultRule(nil), f.Rules...)
	s.faults.f = f
	s.faults.fired = make([]int, len(f.Rules))
}

// sleepLatency waits the configured latency; false if the client gave up.
func (s *Sandbox) sleepLatency(ctx context.Context) bool {
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
	case <-ctx.Done():
		return false
	}
}

// Phases of a request at which faults fire.
type faultPhase func(FaultKind) bool

func preFault(k FaultKind) bool {
	return k == Fault500 || k == Fault503 || k == Fault429 || k == FaultHang
}

func postFault(status int) faultPhase {
	return func(k FaultKind) bool {
		return k == FaultResetAfterApply || (k == FaultMalformedJSON && status == http.StatusOK)
	}
}

// takeFault returns the first rule of this phase that matches r and still
// has fires left, counting the fire. A malformed-JSON rule is only counted
// when the answer is a 200, the only answer it can corrupt.
func (s *Sandbox) takeFault(r *http.Request, phase faultPhase) *FaultRule {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for i, rule := range s.faults.f.Rules {
		if !phase(rule.Kind) {
			continue
		}
		if rule.Method != "" && !strings.EqualFold(rule.Method, r.Method) {
			continue
		}
		if rule.PathContains != "" && !strings.Contains(r.URL.Path, rule.PathContains) {
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

func faultResponse(rule *FaultRule, corrID string) response {
	switch rule.Kind {
	case Fault503:
		return errorResponse(newErr(http.StatusServiceUnavailable, codeUnavailable, "The service is temporarily unavailable."), corrID)
	case Fault429:
		secs := int64(math.Ceil(rule.RetryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		r := errorResponse(newErr(http.StatusTooManyRequests, codeTooManyRequests, "Too many requests."), corrID)
		r.Header["Retry-After"] = strconv.FormatInt(secs, 10)
		return r
	default:
		return errorResponse(newErr(http.StatusInternalServerError, codeInternal, "An unexpected error occurred."), corrID)
	}
}

// resetConnection drops the connection without a response.
func resetConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close() // dropping the connection is the fault; how it closes does not matter
			return
		}
	}
	// HTTP/2 or a wrapped writer: abort the handler, which resets the stream.
	panic(http.ErrAbortHandler)
}

// malformed cuts a JSON body in half so that it no longer parses.
func malformed(b []byte) []byte {
	if len(b) < 2 {
		return []byte(`{"order_id":`)
	}
	return append([]byte(nil), b[:len(b)/2]...)
}
