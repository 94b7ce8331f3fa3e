package approvals

import (
	"context"
	"fmt"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// The threshold rules. Each is judged against what the order went through
// in the policy's window (window.go), not against the one change alone:
//
//   - a refund is held when the refunds of the order in the window, the
//     requests not yet sent and this refund add up to more than the
//     threshold (three refunds of 200 € are one of 600 €);
//   - a cancellation is held when the order's amount was above the
//     threshold at any time in the window, a release when its remaining
//     authorized amount was (cutting the amount first does not help);
//   - an amount cut from above the threshold to at most it is held itself
//     (it gives up what a cancellation would);
//   - with thresholds set, a currency none covers fails closed: every
//     refund, cancellation, release and amount cut in it is held.

// show writes an amount with its currency ("200.00 EUR").
func show(v int64, cur string) string { return money.FormatPlain(v, cur) + " " + cur }

// failClosed is the reason given in a currency no threshold covers.
func failClosed(what, cur string) string {
	return "No approval threshold is set for " + cur + ", so every " + what + " in " + cur + " needs a second person’s approval."
}

// checkRefund applies the threshold to a refund of amount on o.
func (s *Service) checkRefund(ctx context.Context, o *omclient.Order, amount int64) (string, error) {
	cur := o.PurchaseCurrency.String()
	t, rule := s.policy.Threshold(cur)
	switch {
	case rule == RuleNone:
		return "", nil
	case rule == RuleFailClosed:
		return failClosed("refund", cur), nil
	case amount > t:
		return "Refunds of more than " + show(t, cur) + " need a second person’s approval.", nil
	}
	w, err := s.window(ctx, o)
	if err != nil {
		return "", err
	}
	if total := w.refunded + amount; total > t {
		return fmt.Sprintf("With this refund, the refunds on this order in the last %s come to %s (%s refunded or waiting for approval already), "+
			"more than %s, so it needs a second person’s approval.",
			windowText(s.policy.WindowOrDefault()), show(total, cur), show(w.refunded, cur), show(t, cur)), nil
	}
	return "", nil
}

// checkAuthorization applies the threshold to a cancellation, a release or
// an amount change of o.
func (s *Service) checkAuthorization(ctx context.Context, o *omclient.Order, ch orders.Change) (string, error) {
	cur := o.PurchaseCurrency.String()
	t, rule := s.policy.Threshold(cur)
	if rule == RuleNone {
		return "", nil
	}
	if ch.Op == omclient.OpUpdateAuthorization {
		newAmount, ok := ch.Amount()
		if !ok {
			return "", fmt.Errorf("approvals: an amount change without its body (%T)", ch.Body)
		}
		switch {
		case newAmount >= o.OrderAmount:
			return "", nil // not a cut: the provider decides on an increase
		case rule == RuleFailClosed:
			return failClosed("cut of an order’s amount", cur), nil
		case o.OrderAmount > t && newAmount <= t:
			return "Cutting the order amount from " + show(o.OrderAmount, cur) + " to " + show(newAmount, cur) +
				" takes it below the approval threshold of " + show(t, cur) + " (cancelling it above that needs approval), so the cut needs a second person’s approval.", nil
		}
		return "", nil
	}
	if rule == RuleFailClosed {
		if ch.Op == omclient.OpCancel {
			return failClosed("cancellation", cur), nil
		}
		return failClosed("release of a remaining authorization", cur), nil
	}
	w, err := s.window(ctx, o)
	if err != nil {
		return "", err
	}
	ago := windowText(s.policy.WindowOrDefault())
	if ch.Op == omclient.OpCancel {
		if w.highestAmount <= t {
			return "", nil
		}
		why := "Cancelling an order of more than " + show(t, cur) + " needs a second person’s approval."
		if w.highestAmount > o.OrderAmount {
			why += " This order’s amount was " + show(w.highestAmount, cur) + " in the last " + ago + "."
		}
		return why, nil
	}
	if w.highestRemaining <= t || o.RemainingAuthorizedAmount == 0 {
		return "", nil
	}
	why := "Releasing a remaining authorization of more than " + show(t, cur) + " needs a second person’s approval."
	if w.highestRemaining > o.RemainingAuthorizedAmount {
		why += " This order’s remaining authorized amount was " + show(w.highestRemaining, cur) + " in the last " + ago + "."
	}
	return why, nil
}
