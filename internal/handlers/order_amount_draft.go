package handlers

import (
	"strconv"

	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// amountDraft is what the typed values amount to.
type amountDraft struct {
	mode   string
	rows   int
	lines  form.Lines
	amount int64 // the new order amount; valid when known
	known  bool
	body   *omclient.UpdateAuthorizationRequest // nil unless complete and valid
	// sent maps order_lines[k] of the body to editor row sent[k].
	sent []int
}

// amountDraftOf checks the typed values against the order, putting every
// problem at its field in f, and builds the request when they are
// complete. The rules: amount 0..200 000 000 minor units, at
// most 1000 lines, lines adding up to the amount, quantity at least 1,
// tax rate 0..100 %, description at most 255 characters, not below the
// captured amount, and an increase the payment method cannot take only
// with "send anyway" ticked.
func amountDraftOf(f *view.Form, o *omclient.Order, nRows int, numbers string) amountDraft {
	cur, lc := o.PurchaseCurrency.String(), numbers
	show := func(v int64) string { return money.Show(v, cur, lc) }
	labels := map[string]string{view.FieldOrderAmount: "Order amount", view.FieldDescription: "Description",
		view.FieldSendAnyway: "Send anyway", view.FieldDropLines: "Remove the lines", view.FieldLines: "Lines", view.FieldMode: "What to change"}
	for k, v := range labels {
		if f.Labels == nil {
			f.Labels = map[string]string{}
		}
		f.Labels[k] = v
	}
	d := amountDraft{mode: f.Value(view.FieldMode), rows: nRows}
	if d.mode != view.ModeAmount {
		d.mode = view.ModeLines
	}
	desc, descOK := form.Text(f, view.FieldDescription, false, 255)

	switch d.mode {
	case view.ModeLines:
		d.lines = form.ParseEditRows(f, nRows, cur, lc, o.OrderLines)
		if nRows == 0 {
			f.AddError(view.FieldLines, "Add at least one line, or choose “Amount only”")
			break
		}
		if !d.lines.OK {
			break
		}
		sum := orders.SumLines(d.lines.Lines).Total
		if f.Value(view.FieldOrderAmount) != "" {
			typed, ok := form.Amount(f, view.FieldOrderAmount, cur)
			if ok && typed != sum {
				f.AddError(view.FieldOrderAmount, "The lines add up to "+show(sum)+", not "+show(typed)+": change the lines, or clear this field to use their total")
				break
			}
			if !ok {
				break
			}
		}
		if sum < 0 || sum > money.MaxAmount {
			f.AddError(view.FieldOrderAmount, "The lines add up to "+show(sum)+": the order amount must be between "+show(0)+" and "+show(money.MaxAmount))
			break
		}
		d.amount, d.known = sum, true
		for i := range d.lines.Lines {
			d.sent = append(d.sent, i)
		}
	case view.ModeAmount:
		if v, ok := form.Amount(f, view.FieldOrderAmount, cur); ok {
			d.amount, d.known = v, true
		}
		if d.known && len(o.OrderLines) > 0 && f.Value(view.FieldDropLines) == "" {
			f.AddError(view.FieldDropLines, "Tick to confirm that the order's "+countText(len(o.OrderLines), "line")+" will be removed, or edit the lines instead")
		}
	}
	if !d.known {
		return d
	}
	if e := (orders.AmountDraft{Amount: d.amount}).Check(o); e != nil {
		f.AddError(view.FieldOrderAmount, view.MoneyIn(e.Message, lc))
	}
	if d.amount > o.OrderAmount && !orders.IncreaseAllowed(o) && f.Value(view.FieldSendAnyway) == "" {
		f.AddError(view.FieldSendAnyway, "Tick “Send anyway” to try an increase the payment method does not support")
	}
	if d.mode == view.ModeLines && d.amount == o.OrderAmount && form.LinesEqual(d.lines.Lines, o.OrderLines) && desc == "" {
		f.AddError("", "Nothing to change: the lines and the amount are as they are now")
	}
	if !descOK || f.HasErrors() {
		return d
	}
	body := &omclient.UpdateAuthorizationRequest{OrderAmount: d.amount, Description: desc}
	if d.mode == view.ModeLines {
		body.OrderLines = d.lines.Lines
	}
	form.ClientErrors(f, body, func(path string) string {
		switch path {
		case "order_amount", "description":
			return path
		}
		return form.LineFieldOf(path, d.sent, view.FieldLineUnitPrice)
	})
	if !f.HasErrors() {
		d.body = body
	}
	return d
}

// plural writes "1 line", "3 lines".
func countText(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
