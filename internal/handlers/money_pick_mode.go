package handlers

import (
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// pickWords are the words that differ between capture and refund.
type pickWords struct {
	verb        string // "capture", "refund"
	done        string // "captured", "refunded"
	amountField string // view.FieldCapturedAmount, view.FieldRefundedAmount
	full        string // the label of the full mode: "Everything that is left", "Everything refundable"
	button      string // the submit button without the money: "Capture", "Refund"
	// most is the most the change may take (orders.Capturable,
	// orders.Refundable), and check its money rule (the orders' draft's
	// Check), which puts its message at amountField.
	most  func(*omclient.Order) int64
	check func(o *omclient.Order, amount int64) *omclient.FieldError
}

// pickMode is the mode the agent meant: the one chosen, or, when none is
// (a browser without JavaScript, where typing does not tick the choice),
// the one the typed values name. A choice the typed values contradict is
// refused rather than guessed at, because either reading may move money
// the agent did not mean to: "Everything refundable" with a quantity of 1
// typed refunded every line. ok is false with the message at the mode.
func pickMode(f *view.Form, balances []orders.LineBalance, w pickWords) (mode string, ok bool) {
	qty := false
	for i, b := range balances {
		if b.Open() > 0 && f.Value(view.LineField(i, view.FieldLineQuantity)) != "" {
			qty = true
			break
		}
	}
	amount := f.Value(w.amountField) != ""
	fail := func(msg string) (string, bool) { f.AddError(view.FieldMode, msg); return mode, false }
	switch mode = f.Value(view.FieldMode); {
	case mode != view.ModeFull && mode != view.ModeLines && mode != view.ModeAmount:
		mode = ""
		switch {
		case qty && amount:
			return fail("You typed quantities and an amount: choose “Chosen lines” or “An amount”, and empty the other")
		case qty:
			return view.ModeLines, true
		case amount:
			return view.ModeAmount, true
		}
		return fail("Choose what to " + w.verb + ": “" + w.full + "”, “Chosen lines” (type the quantities) or “An amount” (type it)")
	case mode == view.ModeFull && qty:
		return fail("You typed quantities but chose “" + w.full + "”: choose “Chosen lines”, or empty the quantities")
	case mode == view.ModeFull && amount:
		return fail("You typed an amount but chose “" + w.full + "”: choose “An amount”, or empty the amount")
	case mode == view.ModeLines && amount:
		return fail("You typed an amount but chose “Chosen lines”: choose “An amount”, or empty the amount")
	case mode == view.ModeAmount && qty:
		return fail("You typed quantities but chose “An amount”: choose “Chosen lines”, or empty the quantities")
	}
	return mode, true
}
