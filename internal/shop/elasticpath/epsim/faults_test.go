package epsim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

// A read is retried over a passing 503.
func TestFaultReadRetried(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "GET", PathContains: "/v2/orders/", Kind: epsim.Fault503, Times: 2}}})
	if _, err := e.client.GetOrder(ctx(t), id); err != nil {
		t.Fatalf("read through two 503s: %v", err)
	}
}

// The answer to a cancel is lost after the sandbox applied it: the client
// says the outcome is unknown (it does not resend on its own), and the
// person's resubmit of the same PUT succeeds without a second change.
func TestFaultLostAnswerOnUpdate(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.FaultResetAfterApply, Times: 1}}})
	_, err := e.client.UpdateOrder(ctx(t), id, ep.Cancel())
	if !errors.Is(err, ep.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want outcome unknown", err)
	}
	if o, _ := e.sb.Order(id); o.Status != ep.StatusCancelled {
		t.Fatalf("the sandbox should have applied the cancel, status %s", o.Status)
	}
	o, err := e.client.UpdateOrder(ctx(t), id, ep.Cancel())
	if err != nil || o.Status != ep.StatusCancelled {
		t.Fatalf("resubmit = %+v, %v", o, err)
	}
}

// An update answered 500 is not resent: it may have been applied.
func TestFaultUpdate500IsUnknownNotRetried(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.Fault500, Times: 1}}})
	_, err := e.client.UpdateOrder(ctx(t), id, ep.Cancel())
	if !errors.Is(err, ep.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want outcome unknown", err)
	}
	if o, _ := e.sb.Order(id); o.Status == ep.StatusCancelled {
		t.Fatal("a second try was sent after the 500")
	}
}

// A hanging shop ends at the caller's deadline.
func TestFaultHangEndsAtDeadline(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "GET", Kind: epsim.FaultHang}}})
	c, cancel := context.WithTimeout(ctx(t), 200*time.Millisecond)
	defer cancel()
	if _, err := e.client.GetOrder(c, id); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

// A cut-off answer is a DecodeError, not an empty order.
func TestFaultMalformedAnswer(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "GET", PathContains: "/items", Kind: epsim.FaultMalformedJSON}}})
	_, err := e.client.GetItems(ctx(t), id)
	var de *ep.DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DecodeError", err)
	}
}
