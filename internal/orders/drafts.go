package orders

import (
	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// The money rules of the money changes, each said once: a form checks its
// draft as the agent types and puts the message at the field; the
// pipeline checks the change it is about to send against the order re-read
// under its lock (checkState), so no door sends what the forms refuse,
// and both say it in the same words. A message names amounts in the
// plain form ("500.00 EUR"), which a page shows in its reader's format
// (view.MoneyIn).

// AmountDraft is a new order amount (update authorization), in minor
// units of the order's currency.
type AmountDraft struct{ Amount int64 }

// Check is the new amount's money rule: it may not be less than what is
// captured already. The error is at order_amount; nil when it holds.
func (d AmountDraft) Check(o *omclient.Order) *omclient.FieldError {
	if d.Amount < o.CapturedAmount {
		return &omclient.FieldError{Field: "order_amount",
			Message: "The order amount cannot be less than the captured amount " + plainMoney(o.CapturedAmount, o)}
	}
	return nil
}

// Capturable is the most a capture may take: the remaining authorized
// amount.
func Capturable(o *omclient.Order) int64 { return o.RemainingAuthorizedAmount }

// Refundable is the most a refund may take: what is captured and not yet
// refunded.
func Refundable(o *omclient.Order) int64 { return max(o.CapturedAmount-o.RefundedAmount, 0) }

// CaptureDraft is a capture of Amount (minor units of the order's
// currency).
type CaptureDraft struct{ Amount int64 }

// Check is the capture's money rule: no more than Capturable. The error
// is at captured_amount; nil when it holds.
func (d CaptureDraft) Check(o *omclient.Order) *omclient.FieldError {
	if left := Capturable(o); d.Amount > left {
		return &omclient.FieldError{Field: "captured_amount", Message: "More than the remaining authorized amount, " + plainMoney(left, o)}
	}
	return nil
}

// RefundDraft is a refund of Amount (minor units of the order's
// currency).
type RefundDraft struct{ Amount int64 }

// Check is the refund's money rule: no more than Refundable. The error is
// at refunded_amount; nil when it holds.
func (d RefundDraft) Check(o *omclient.Order) *omclient.FieldError {
	if left := Refundable(o); d.Amount > left {
		return &omclient.FieldError{Field: "refunded_amount",
			Message: "More than what can be refunded (captured minus refunded), " + plainMoney(left, o)}
	}
	return nil
}

// plainMoney is v of o's currency in the plain form: "500.00 EUR".
func plainMoney(v int64, o *omclient.Order) string {
	cur := o.PurchaseCurrency.String()
	return money.FormatPlain(v, cur) + " " + cur
}
