package handlers

import (
	"strconv"

	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// The shared part of capture and refund: how much, in one of three modes.
//
//   - full: everything that is left (remaining authorized, or captured
//     minus refunded); the open lines go with it when they add up to
//     exactly that amount, else no lines are sent;
//   - lines: chosen lines and quantities, each at most what is still open
//     on that line; a part of a line gets its share of the discount
//     (orders.LineBalance.Part), so every line's arithmetic holds;
//   - amount: a typed amount, no lines.

// pickAmount reads the mode and its values from f, putting problems at
// their fields; the amount is held to the change's money rule (w.check).
func pickAmount(f *view.Form, o *omclient.Order, balances []orders.LineBalance, w pickWords, numbers string) pickDraft {
	cur, lc := o.PurchaseCurrency.String(), numbers
	left := w.most(o)
	show := func(v int64) string { return money.Show(v, cur, lc) }
	d := pickDraft{balances: balances}
	open := 0
	for i, b := range balances {
		r := view.NewPickRow(i, b.Line, b.Done, cur, lc)
		if r.Open > 0 {
			open++
			if f.Labels != nil {
				f.Labels[r.QuantityField()] = form.RowName(i) + " (" + string(b.Line.Name) + ") quantity"
			}
		}
		d.rows = append(d.rows, r)
	}
	switch {
	case len(balances) == 0 && w.verb == "refund":
		d.linesNote = "The captures carry no lines, so there are no lines to choose: refund an amount."
	case len(balances) == 0:
		d.linesNote = "The order has no lines, so there are no lines to choose: capture an amount."
	case open == 0:
		d.linesNote = "Every line is " + w.done + " already; what is left is not tied to lines: " + w.verb + " an amount."
	}
	var ok bool
	if d.mode, ok = pickMode(f, balances, w); !ok {
		return d
	}

	switch d.mode {
	case view.ModeFull:
		d.amount, d.known = left, true
		if lines := orders.OpenLines(balances); len(lines) > 0 {
			if t := orders.SumLines(lines).Total; t == left && len(lines) <= omclient.MaxOrderLines {
				d.lines = lines
				for i, b := range balances {
					if b.Open() > 0 {
						d.sent = append(d.sent, i)
					}
				}
			} else {
				d.fullWithoutLines = "The open lines add up to " + show(t) + ", not " + show(left) + ", so no lines are sent with it."
			}
		}
		if left <= 0 {
			f.AddError(view.FieldMode, "Nothing is left to "+w.verb)
			d.known = false
		}
	case view.ModeLines:
		if d.linesNote != "" {
			f.AddError(view.FieldLines, d.linesNote)
			return d
		}
		ok = true
		for i, b := range balances {
			if b.Open() == 0 {
				continue
			}
			name := view.LineField(i, view.FieldLineQuantity)
			q, qok := form.Quantity(f, name, 0, b.Open(),
				"At most "+strconv.FormatInt(b.Open(), 10)+": the rest of this line is "+w.done+" already")
			if !qok {
				ok = false
				continue
			}
			if q == 0 {
				continue
			}
			p := b.Part(q)
			d.lines = append(d.lines, p)
			d.sent = append(d.sent, i)
			d.rows[i].Total = show(p.TotalAmount)
		}
		if !ok {
			return d
		}
		if len(d.lines) == 0 {
			f.AddError(view.FieldLines, "Type a quantity on at least one line")
			return d
		}
		d.amount = orders.SumLines(d.lines).Total
		if d.amount <= 0 {
			f.AddError(view.FieldLines, "The chosen lines add up to "+show(d.amount)+": a "+w.verb+" must be more than "+show(0))
			return d
		}
		d.known = true
	case view.ModeAmount:
		v, ok := form.Amount(f, w.amountField, cur)
		if !ok {
			return d
		}
		if v == 0 {
			f.AddError(w.amountField, "A "+w.verb+" must be more than "+show(0))
			return d
		}
		d.amount, d.known = v, true
	}
	if !d.known {
		return d
	}
	if e := w.check(o, d.amount); e != nil {
		field := w.amountField
		if d.mode == view.ModeLines {
			field = view.FieldLines
		}
		f.AddError(field, view.MoneyIn(e.Message, lc))
	}
	return d
}
