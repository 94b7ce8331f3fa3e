package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
)

// clientTimeout bounds one call including its retries; the hang fault
// uses it up.
const clientTimeout = 1500 * time.Millisecond

var agent = audit.Actor{StaffID: 7, Email: "agent@example.com", Role: "agent", ClientIP: "192.0.2.1", UserAgent: "reliability-test"}

// sent is one mutating request as it reached the provider.
type sent struct {
	method, path, key string
	body              []byte
}

// stack is the real pipeline: sandbox over HTTP behind a recorder, the
// real client with retries, a real audit log and index in temp files.
type stack struct {
	sb  *omsim.Sandbox
	svc *orders.Service
	log *audit.Log

	mu   sync.Mutex
	seen []sent
	// afterMutation, when set, runs once after the next mutating request
	// has been answered (to arm a fault for the read that follows).
	afterMutation func()
}

func newStack(t *testing.T) *stack {
	t.Helper()
	s := &stack{}
	pe := pipelinetest.New(t, pipelinetest.Options{
		Wrap:    func(*omsim.Sandbox) http.Handler { return http.HandlerFunc(s.serve) },
		Timeout: clientTimeout,
		Retry:   omclient.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
	})
	s.sb, s.svc, s.log = pe.Sandbox, pe.Orders, pe.Log
	return s
}

// serve records every mutating request byte for byte, then lets the
// sandbox answer it.
func (s *stack) serve(w http.ResponseWriter, r *http.Request) {
	mutating := r.Method == http.MethodPost || r.Method == http.MethodPatch
	if mutating {
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		s.mu.Lock()
		s.seen = append(s.seen, sent{r.Method, r.URL.Path, r.Header.Get("Klarna-Idempotency-Key"), b})
		s.mu.Unlock()
	}
	s.sb.ServeHTTP(w, r)
	if mutating {
		s.mu.Lock()
		f := s.afterMutation
		s.afterMutation = nil
		s.mu.Unlock()
		if f != nil {
			f()
		}
	}
}

func (s *stack) requests() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sent(nil), s.seen...)
}

func (s *stack) resetRequests() {
	s.mu.Lock()
	s.seen = nil
	s.mu.Unlock()
}

func (s *stack) applied(t *testing.T, id string) int {
	t.Helper()
	n, err := s.sb.Applied(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// newOrder creates an AUTHORIZED order of 100.00 EUR.
func (s *stack) newOrder(t *testing.T) string {
	t.Helper()
	addr := &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", Email: "erika@example.com",
		StreetAddress: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "DE"}
	id, err := s.sb.CreateOrder(context.Background(), omsim.NewOrder{
		PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{
			{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 2, UnitPrice: 3000, TaxRate: 1900, TotalAmount: 6000, TotalTaxAmount: 958},
			{Type: "physical", Reference: "B", Name: "Shoes", Quantity: 1, UnitPrice: 4000, TaxRate: 1900, TotalAmount: 4000, TotalTaxAmount: 639},
		},
		BillingAddress: addr, ShippingAddress: addr, MerchantReference1: "SHOP-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// operation is one of the four money-moving changes, with the order state
// it needs.
type operation struct {
	name string
	// prepare readies an order and returns the change to make under faults.
	prepare func(t *testing.T, s *stack) orders.Change
}

func change(op omclient.Operation, id string, body omclient.Request) orders.Change {
	return orders.Change{Op: op, OrderID: id, IdempotencyKey: uuid.NewString(), Reason: "Customer request", Ticket: "HD-7", Body: body}
}

var operations = []operation{
	{"capture", func(t *testing.T, s *stack) orders.Change {
		return change(omclient.OpCreateCapture, s.newOrder(t), &omclient.CaptureRequest{CapturedAmount: 4000, Description: "first parcel"})
	}},
	{"refund", func(t *testing.T, s *stack) orders.Change {
		id := s.newOrder(t)
		res, err := s.svc.Apply(context.Background(), agent, change(omclient.OpCreateCapture, id, &omclient.CaptureRequest{CapturedAmount: 10000}))
		if err != nil || res.Outcome != audit.OutcomeSucceeded {
			t.Fatalf("capture before the refund: %+v %v", res, err)
		}
		return change(omclient.OpCreateRefund, id, &omclient.RefundRequest{RefundedAmount: 2500, Description: "damaged"})
	}},
	{"cancel", func(t *testing.T, s *stack) orders.Change {
		return change(omclient.OpCancel, s.newOrder(t), nil)
	}},
	{"amount change", func(t *testing.T, s *stack) orders.Change {
		return change(omclient.OpUpdateAuthorization, s.newOrder(t), &omclient.UpdateAuthorizationRequest{OrderAmount: 8000, Description: "one shirt less",
			OrderLines: []omclient.OrderLine{
				{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 1, UnitPrice: 3000, TaxRate: 1900, TotalAmount: 3000, TotalTaxAmount: 479},
				{Type: "physical", Reference: "B", Name: "Shoes", Quantity: 1, UnitPrice: 5000, TaxRate: 1900, TotalAmount: 5000, TotalTaxAmount: 798},
			}})
	}},
}

// first is what the agent's first submit must end in under a fault.
type first int

const (
	wantSucceeded first = iota // the client's retries hid the fault
	wantUnknown                // the agent is told the outcome is unknown
	wantNotSent                // Apply failed before sending (nothing audited)
)

// fault is one upstream failure; arm installs it for the change.
type fault struct {
	name string
	arm  func(s *stack, ch orders.Change)
	want first
	// appliedAfterFirst is how many changes the provider holds after the
	// first submit (0 or 1).
	appliedAfterFirst int
}

func rule(ch orders.Change, kind omsim.FaultKind, times int) omsim.FaultRule {
	return omsim.FaultRule{Method: ch.Op.Method(), PathContains: ch.OrderID, Kind: kind, Times: times, RetryAfter: time.Second}
}

func set(rules ...omsim.FaultRule) omsim.Faults { return omsim.Faults{Rules: rules} }

var faults = []fault{
	{"latency", func(s *stack, ch orders.Change) { s.sb.SetFaults(omsim.Faults{Latency: 40 * time.Millisecond}) }, wantSucceeded, 1},
	{"hang until the client times out", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.FaultHang, 1))) }, wantUnknown, 0},
	{"500 twice then fine", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.Fault500, 2))) }, wantSucceeded, 1},
	{"500 every time", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.Fault500, 0))) }, wantUnknown, 0},
	{"503 twice then fine", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.Fault503, 2))) }, wantSucceeded, 1},
	{"503 every time", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.Fault503, 0))) }, wantUnknown, 0},
	{"429 with Retry-After once", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.Fault429, 1))) }, wantSucceeded, 1},
	{"reset after apply once", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.FaultResetAfterApply, 1))) }, wantSucceeded, 1},
	{"reset after apply every time", func(s *stack, ch orders.Change) { s.sb.SetFaults(set(rule(ch, omsim.FaultResetAfterApply, 0))) }, wantUnknown, 1},
	{"malformed JSON on the read before", func(s *stack, ch orders.Change) {
		s.sb.SetFaults(set(omsim.FaultRule{Method: http.MethodGet, PathContains: ch.OrderID, Kind: omsim.FaultMalformedJSON, Times: 1}))
	}, wantNotSent, 0},
	{"malformed JSON on the read after", func(s *stack, ch orders.Change) {
		s.sb.SetFaults(omsim.Faults{})
		s.mu.Lock()
		s.afterMutation = func() {
			s.sb.SetFaults(set(omsim.FaultRule{Method: http.MethodGet, PathContains: ch.OrderID, Kind: omsim.FaultMalformedJSON, Times: 1}))
		}
		s.mu.Unlock()
	}, wantSucceeded, 1},
}

// TestEveryFaultEndsWithExactlyOneChange runs capture, refund, cancel and
// amount change under each fault: the agent's first submit ends in success
// or "outcome unknown" (never a false failure), submitting the same form
// again (same key) leaves exactly one change at the provider, every try
// carried the same key and the same bytes, and the audit log holds the
// truth: every attempt completed, at most one succeeded, the chain intact.
func TestEveryFaultEndsWithExactlyOneChange(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		for _, f := range faults {
			t.Run(op.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				s := newStack(t)
				ch := op.prepare(t, s)
				base := s.applied(t, ch.OrderID)
				eventsBefore, _, err := s.log.Head(ctx)
				if err != nil {
					t.Fatal(err)
				}
				s.resetRequests()
				f.arm(s, ch)

				res, err := s.svc.Apply(ctx, agent, ch)
				switch f.want {
				case wantNotSent:
					if err == nil {
						t.Fatalf("first submit: %+v, want an error before sending", res)
					}
					if n, _, _ := s.log.Head(ctx); n != eventsBefore {
						t.Fatalf("audit grew by %d events for a change never sent", n-eventsBefore)
					}
				case wantSucceeded:
					if err != nil || res.Outcome != audit.OutcomeSucceeded || res.APIErr != nil {
						t.Fatalf("first submit: outcome %q, api error %v, error %v; want succeeded", res.Outcome, res.APIErr, err)
					}
				case wantUnknown:
					if err != nil || res.Outcome != audit.OutcomeUnknown || !errors.Is(res.APIErr, omclient.ErrOutcomeUnknown) {
						t.Fatalf("first submit: outcome %q, api error %v, error %v; want outcome unknown", res.Outcome, res.APIErr, err)
					}
					if msg := res.APIErr.Error(); !strings.Contains(msg, "outcome unknown") && !strings.Contains(msg, "may have been applied") {
						t.Fatalf("unknown outcome message %q does not say the outcome is unknown", msg)
					}
				}
				if got := s.applied(t, ch.OrderID) - base; got != f.appliedAfterFirst {
					t.Fatalf("after the first submit the provider applied %d changes, want %d", got, f.appliedAfterFirst)
				}

				// The provider recovers; the agent submits the same form
				// (same key) again, and once more for good measure.
				s.sb.SetFaults(omsim.Faults{})
				for i := 2; i <= 3; i++ {
					again, err := s.svc.Apply(ctx, agent, ch)
					if err != nil || again.Outcome != audit.OutcomeSucceeded {
						t.Fatalf("submit %d with the same key: outcome %q, api error %v, error %v", i, again.Outcome, again.APIErr, err)
					}
					if i == 3 && !again.Replayed {
						t.Fatalf("submit %d after success was sent again instead of answered from the log", i)
					}
				}
				if got := s.applied(t, ch.OrderID) - base; got != 1 {
					t.Fatalf("the provider applied %d changes for one intent, want exactly 1", got)
				}

				// Every try of the intent: the same key, the same bytes.
				reqs := s.requests()
				if len(reqs) == 0 && f.want != wantNotSent {
					t.Fatal("no request reached the provider")
				}
				for i, r := range reqs {
					if r.key != ch.IdempotencyKey {
						t.Fatalf("try %d %s %s carried key %q, want %q", i+1, r.method, r.path, r.key, ch.IdempotencyKey)
					}
					if !bytes.Equal(r.body, reqs[0].body) {
						t.Fatalf("try %d body %s differs from the first %s", i+1, r.body, reqs[0].body)
					}
				}

				checkAuditTruth(t, s, ch)
				if f.name == "malformed JSON on the read after" {
					// Applied, but the read of the after-values failed: the
					// log still says succeeded and names the failed read.
					a, err := s.log.Attempt(ctx, res.AttemptID)
					if err != nil || a.Completed.Detail["after_read_error"] == "" {
						t.Fatalf("completed event does not record the failed read: %+v %v", a.Completed, err)
					}
				}
			})
		}
	}
}

// checkAuditTruth: every attempt of the key is completed; exactly one
// succeeded (the provider applied the change once); the last one
// succeeded; the chain verifies.
func checkAuditTruth(t *testing.T, s *stack, ch orders.Change) {
	t.Helper()
	ctx := context.Background()
	as, err := s.log.AttemptsByKey(ctx, ch.IdempotencyKey)
	if err != nil {
		t.Fatal(err)
	}
	succeeded := 0
	var outcomes []string
	for _, a := range as {
		if a.Completed == nil {
			t.Fatalf("attempt %s has no completed event", a.AttemptID)
		}
		outcomes = append(outcomes, string(a.Outcome()))
		switch a.Outcome() {
		case audit.OutcomeSucceeded:
			succeeded++
		case audit.OutcomeUnknown:
		default:
			t.Fatalf("attempt outcome %q: the provider applied the change, the log must say succeeded or unknown", a.Outcome())
		}
	}
	if succeeded != 1 {
		t.Fatalf("%d succeeded attempts for one applied change (outcomes newest first: %v), want exactly 1", succeeded, outcomes)
	}
	if as[0].Outcome() != audit.OutcomeSucceeded {
		t.Fatalf("the newest attempt is %q, want succeeded", as[0].Outcome())
	}
	v, err := s.log.Verify(ctx)
	if err != nil || !v.OK {
		t.Fatalf("audit chain: %+v %v", v, err)
	}
}

// TestConcurrentSubmitsUnderResetApplyOnce: the nasty case with racing
// double submits: four submits of one capture form at once while every
// answer is lost after the provider applied it. The provider holds one
// capture; no attempt claims success before the outcome is known.
func TestConcurrentSubmitsUnderResetApplyOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStack(t)
	ch := change(omclient.OpCreateCapture, s.newOrder(t), &omclient.CaptureRequest{CapturedAmount: 1234})
	s.sb.SetFaults(set(rule(ch, omsim.FaultResetAfterApply, 0)))
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			res, err := s.svc.Apply(ctx, agent, ch)
			if err == nil && res.Outcome == audit.OutcomeSucceeded {
				err = fmt.Errorf("succeeded although no answer ever arrived")
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("submit %d: %v", i, err)
		}
	}
	if n := s.applied(t, ch.OrderID); n != 1 {
		t.Fatalf("applied %d captures, want 1", n)
	}
	s.sb.SetFaults(omsim.Faults{})
	if res, err := s.svc.Apply(ctx, agent, ch); err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("resubmit: %+v %v", res, err)
	}
	if n := s.applied(t, ch.OrderID); n != 1 {
		t.Fatalf("applied %d captures after the resubmit, want 1", n)
	}
	checkAuditTruth(t, s, ch)
}
