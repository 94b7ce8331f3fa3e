package handlers

import (
	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// pickDraft is what the mode and typed values amount to.
type pickDraft struct {
	mode     string
	balances []orders.LineBalance
	rows     []view.PickRow
	// lines are the lines to send (nil: none); sent[k] is the picker row
	// of lines[k].
	lines  []omclient.OrderLine
	sent   []int
	amount int64
	known  bool
	// fullWithoutLines: full mode, but the open lines do not add up to
	// the amount, so none are sent (the form says why).
	fullWithoutLines string
	// linesNote says why the lines mode is not offered ("" when it is).
	linesNote string
}

// pickRename maps a client field path of a capture or refund to its form
// field: amounts to the amount field (or the picker in lines mode),
// lines to the picker row's quantity.
func (d pickDraft) pickRename(w pickWords) func(string) string {
	return func(path string) string {
		switch path {
		case w.amountField:
			if d.mode == view.ModeAmount {
				return path
			}
			return view.FieldLines
		case "description", "reference":
			return path
		}
		if f := form.LineFieldOf(path, d.sent, view.FieldLineQuantity); f != "" {
			return f
		}
		if len(path) > len("shipping_info[0]") && path[:len("shipping_info[0]")] == "shipping_info[0]" {
			return path
		}
		return ""
	}
}
