package handlers

import (
	"strings"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// pickPreview is the effect box of a capture or refund with after as the
// order's amounts if it goes through.
func pickPreview(f view.Form, o *omclient.Order, d pickDraft, after view.OrderAmounts, summary string, live bool, w pickWords, numbers string) view.MoneyPreview {
	p := view.MoneyPreview{Effect: view.NewEffect(o, after, d.known, numbers), Submit: w.button}
	if d.known {
		p.Effect.Summary = summary
	}
	if len(d.lines) > 0 {
		t := orders.SumLines(d.lines)
		p.HasLines = true
		p.LinesDiscount, p.LinesTax, p.LinesTotal = view.MoneyOf(t.Discount, o, numbers), view.MoneyOf(t.Tax, o, numbers), view.MoneyOf(t.Total, o, numbers)
	}
	for _, r := range d.rows {
		p.LineTotals = append(p.LineTotals, view.LineCell{ID: r.TotalID(), Text: r.Total})
	}
	if d.fullWithoutLines != "" {
		p.Effect.Warnings = append(p.Effect.Warnings, d.fullWithoutLines)
	}
	if live {
		for _, e := range f.Errors {
			p.Effect.Problems = append(p.Effect.Problems, f.SummaryText(e))
		}
		if len(p.Effect.Problems) > 0 {
			p.Effect.Ready = false
		}
	}
	if p.Effect.Ready && !pickErrors(f, w) {
		// The button names the money the agent is about to move, from
		// the draft the effect shows: "Refund 63,95 €".
		p.Submit = w.button + " " + view.MoneyText(d.amount, o, numbers)
	}
	return p
}

// pickErrors reports a message at a field that decides the amount (the
// mode, a quantity, the amount, the return fee): the amount is then not
// the one that would be sent, so the button does not name it.
func pickErrors(f view.Form, w pickWords) bool {
	for _, e := range f.Errors {
		switch {
		case e.Field == view.FieldMode, e.Field == view.FieldLines, e.Field == w.amountField,
			e.Field == view.FieldReturnFee, e.Field == view.FieldReturnFeeTax,
			strings.HasPrefix(e.Field, view.FieldLines+"["):
			return true
		}
	}
	return false
}

// linesCount writes "with 2 lines" for a confirmation, "" without lines.
func linesCount(lines []omclient.OrderLine) string {
	if len(lines) == 0 {
		return ""
	}
	return ", " + countText(len(lines), "line")
}
