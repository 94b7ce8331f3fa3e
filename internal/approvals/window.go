package approvals

import (
	"context"
	"fmt"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
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
	recs, ok := orders.RecordsRead(ctx, o.OrderID)
	if !ok {
		var err error
		if recs, err = s.log.OrderMoneyRecords(ctx, o.OrderID); err != nil {
			return w, fmt.Errorf("approvals: the order's recent changes: %w", err)
		}
	}
	completed := map[string]audit.MoneyRecord{}
	for _, m := range recs {
		if m.Kind == audit.KindCompleted {
			completed[m.AttemptID] = m
		}
	}
	for _, r := range recs {
		if r.Kind != audit.KindRequested || r.Time.Before(since) {
			continue
		}
		switch omclient.Operation(r.Action) {
		case omclient.OpCreateRefund:
			c, done := completed[r.AttemptID]
			switch {
			case !done || c.Outcome == audit.OutcomeUnknown,
				c.Outcome == audit.OutcomeSucceeded && !known[c.ResourceID]:
				w.refunded += r.Amount
			}
		case omclient.OpUpdateAuthorization:
			w.highestAmount = max(w.highestAmount, beforeAmount(r.BeforeOrderAmount, cur))
			w.highestRemaining = max(w.highestRemaining, beforeAmount(r.BeforeRemaining, cur))
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
func beforeAmount(v, cur string) int64 {
	if v == "" {
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
