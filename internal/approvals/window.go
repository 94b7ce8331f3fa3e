package approvals

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// orderWindow is what the order went through in the policy's window, from
// the provider's order and ordercare's own audit log and requests: what a
// threshold is judged against, so splitting a refund or cutting the amount
// before cancelling does not step around it.
type orderWindow struct {
	// refunded is everything refunded or asked to be refunded on the
	// order in the window: the provider's refunds, attempts whose outcome
	// is unknown or still open (the provider may have applied them),
	// succeeded attempts the provider's list does not show yet, and
	// requests not yet sent.
	refunded int64
	// highestAmount and highestRemaining are the highest order amount and
	// remaining authorized amount the order had in the window: the
	// current ones, or those before an amount change recorded then.
	highestAmount, highestRemaining int64
}

// window reads the order's window as of now.
func (s *Service) window(ctx context.Context, o *omclient.Order) (orderWindow, error) {
	since := s.now().Add(-s.policy.WindowOrDefault())
	cur := o.PurchaseCurrency.String()
	w := orderWindow{highestAmount: o.OrderAmount, highestRemaining: o.RemainingAuthorizedAmount}

	known := map[string]bool{}
	for _, r := range o.Refunds {
		known[r.RefundID] = true
		// A refund without a time cannot be placed outside the window.
		if r.RefundedAt.IsZero() || !r.RefundedAt.Before(since) {
			w.refunded += r.RefundedAmount
		}
	}
	attempts, err := s.log.OrderAttempts(ctx, o.OrderID)
	if err != nil {
		return w, fmt.Errorf("approvals: the order's recent changes: %w", err)
	}
	for _, a := range attempts {
		if a.Requested.Time.Before(since) {
			continue
		}
		switch omclient.Operation(a.Requested.Action) {
		case omclient.OpCreateRefund:
			switch out := a.Outcome(); {
			case out == "" || out == audit.OutcomeUnknown,
				out == audit.OutcomeSucceeded && !known[a.Completed.ResourceID]:
				var b omclient.RefundRequest
				if err := json.Unmarshal(a.Requested.Request, &b); err != nil {
					return w, fmt.Errorf("approvals: refund attempt %s: %w", a.AttemptID, err)
				}
				w.refunded += b.RefundedAmount
			}
		case omclient.OpUpdateAuthorization:
			w.highestAmount = max(w.highestAmount, beforeAmount(a.Requested.Before, "order_amount", cur))
			w.highestRemaining = max(w.highestRemaining, beforeAmount(a.Requested.Before, "remaining_authorized_amount", cur))
		}
	}

	// Requests not yet sent: once sent they are attempts, counted above.
	open, err := s.List(ctx, ListFilter{OrderID: o.OrderID, Statuses: []Status{StatusPending, StatusApproved}})
	if err != nil {
		return w, err
	}
	now := s.now()
	for _, r := range open {
		if r.Op == omclient.OpCreateRefund && r.AttemptID == "" && (r.Status != StatusPending || now.Before(r.ExpiresAt)) {
			w.refunded += r.Amount
		}
	}
	return w, nil
}

// beforeAmount reads an amount the audit log recorded as the order showed
// it ("302.90 EUR"); 0 when it is missing or unreadable.
func beforeAmount(before map[string]string, key, cur string) int64 {
	v, ok := before[key]
	if !ok {
		return 0
	}
	n, err := money.Parse(v, cur)
	if err != nil {
		return 0
	}
	return n
}

// windowText names the window in words ("24 hours").
func windowText(d time.Duration) string {
	if d%time.Hour == 0 {
		if h := int64(d / time.Hour); h != 1 {
			return fmt.Sprintf("%d hours", h)
		}
		return "hour"
	}
	return d.String()
}
