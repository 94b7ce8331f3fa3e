package reliability

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// TestLostRefundThenSameAmountWaitsForCheck: the provider applies a refund
// but every answer to it is lost (the connection reset after applying, on
// each of the client's tries). A new form for the same amount is not sent
// (nothing reaches the provider) until the lost one is checked; the check
// settles it as succeeded from the provider's refund list, and the refund
// it found is the one the lost request made.
func TestLostRefundThenSameAmountWaitsForCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStack(t)
	id := s.newOrder(t)
	if res, err := s.svc.Apply(ctx, agent, change(omclient.OpCreateCapture, id, &omclient.CaptureRequest{CapturedAmount: 10000})); err != nil ||
		res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("capture: %+v %v", res, err)
	}
	s.sb.SetFaults(set(omsim.FaultRule{Method: http.MethodPost, PathContains: "/refunds", Kind: omsim.FaultResetAfterApply}))
	lost, err := s.svc.Apply(ctx, agent, change(omclient.OpCreateRefund, id, &omclient.RefundRequest{RefundedAmount: 4000}))
	if err != nil || lost.Outcome != audit.OutcomeUnknown {
		t.Fatalf("refund with every answer lost: %+v %v", lost, err)
	}
	s.sb.SetFaults(omsim.Faults{})
	if n := s.applied(t, id); n != 2 {
		t.Fatalf("the provider applied %d changes, want 2 (capture, the lost refund once)", n)
	}

	s.resetRequests()
	_, err = s.svc.Apply(ctx, agent, change(omclient.OpCreateRefund, id, &omclient.RefundRequest{RefundedAmount: 4000}))
	var un *orders.UnsettledError
	if !errors.As(err, &un) || un.Prior.AttemptID != lost.AttemptID {
		t.Fatalf("new refund form for the same amount: err = %v, want UnsettledError", err)
	}
	if got := s.requests(); len(got) != 0 {
		t.Fatalf("%d change requests reached the provider before the check", len(got))
	}

	st, err := s.svc.Settle(ctx, agent, lost.AttemptID)
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.sb.Order(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Outcome != audit.SettledApplied || len(o.Refunds) != 1 || st.ResourceID != o.Refunds[0].RefundID {
		t.Fatalf("check: %+v; provider refunds %+v", st, o.Refunds)
	}
	settled, err := s.log.OrderSettlements(ctx, id)
	if err != nil || settled[lost.AttemptID].ResourceID != st.ResourceID {
		t.Fatalf("settlement not in the audit log: %+v %v", settled, err)
	}
	if res, err := s.log.Verify(ctx); err != nil || !res.OK {
		t.Fatalf("audit chain after the check: %+v %v", res, err)
	}
}
