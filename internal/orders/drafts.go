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

// plainMoney is v of o's currency in the plain form: "500.00 EUR".
func plainMoney(v int64, o *omclient.Order) string {
	cur := o.PurchaseCurrency.String()
	return money.FormatPlain(v, cur) + " " + cur
}
