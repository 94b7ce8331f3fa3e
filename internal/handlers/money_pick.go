package handlers

import (
	"strconv"
	"strings"

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

// pickWords are the words that differ between capture and refund.
type pickWords struct {
	verb        string // "capture", "refund"
	done        string // "captured", "refunded"
	left        string // "the remaining authorized amount", "what can be refunded (captured minus refunded)"
	amountField string // view.FieldCapturedAmount, view.FieldRefundedAmount
	full        string // the label of the full mode: "Everything that is left", "Everything refundable"
	button      string // the submit button without the money: "Capture", "Refund"
}

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

// pickAmount reads the mode and its values from f, putting problems at
// their fields. left is the most that may be captured (refunded).
func pickAmount(f *view.Form, o *omclient.Order, balances []orders.LineBalance, left int64, w pickWords, numbers string) pickDraft {
	cur, lc := o.PurchaseCurrency.String(), numbers
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
	if d.known && d.amount > left {
		field := w.amountField
		if d.mode == view.ModeLines {
			field = view.FieldLines
		}
		f.AddError(field, "More than "+w.left+", "+show(left))
	}
	return d
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
