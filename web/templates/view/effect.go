package view

import (
	"ordercare/internal/omclient"
)

// OrderAmounts are the four figures a money change moves.
type OrderAmounts struct {
	Order, Captured, Refunded, Remaining int64
}

// AmountsOf are the order's figures as read.
func AmountsOf(o *omclient.Order) OrderAmounts {
	return OrderAmounts{Order: o.OrderAmount, Captured: o.CapturedAmount, Refunded: o.RefundedAmount, Remaining: o.RemainingAuthorizedAmount}
}

// EffectRow is one figure before and after the change.
type EffectRow struct {
	Key           string // "order", "captured", "refunded", "remaining": data-testid suffix
	Label         string
	Before, After Money
	Changed       bool
}

// EffectView is what a money form shows before the agent confirms: the
// order's amounts before and after, or why they cannot be computed yet.
type EffectView struct {
	// Ready: the typed values make a complete change; Rows' After column
	// is what the order will show if the provider accepts it.
	Ready bool
	// Summary names the change in one line ("Capture 12,50 €", "Order
	// amount 149,97 € → 99,98 €"); "" when not ready.
	Summary string
	Rows    []EffectRow
	// Problems say what keeps the effect from being computed (typed
	// values still incomplete or out of range); the form marks the fields
	// when it is submitted.
	Problems []string
	// Warnings are worth reading before confirming even when ready
	// (an increase the payment method may not support, lines removed).
	Warnings []string
}

// NewEffect compares the order's amounts with after, in the order's
// currency and the reader's number format. Without after (ready false) the After column
// repeats the current figures.
func NewEffect(o *omclient.Order, after OrderAmounts, ready bool, numbers string) EffectView {
	cur, lc := o.PurchaseCurrency.String(), numbers
	before := AmountsOf(o)
	if !ready {
		after = before
	}
	row := func(key, label string, b, a int64) EffectRow {
		return EffectRow{Key: key, Label: label, Before: newMoney(b, cur, lc), After: newMoney(a, cur, lc), Changed: a != b}
	}
	return EffectView{Ready: ready, Rows: []EffectRow{
		row("order", "Order amount", before.Order, after.Order),
		row("captured", "Captured", before.Captured, after.Captured),
		row("refunded", "Refunded", before.Refunded, after.Refunded),
		row("remaining", "Remaining authorized", before.Remaining, after.Remaining),
	}}
}
