package handlers

import (
	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// refundDraft is the refund the typed values describe.
type refundDraft struct {
	pickDraft
	goods, fee int64 // the goods refunded and the return fee (refunded = goods − fee)
	body       *omclient.RefundRequest
}

// refundDraftOf checks the typed values against the order and builds the
// request when they are complete.
func refundDraftOf(f *view.Form, o *omclient.Order, numbers string) refundDraft {
	for k, v := range map[string]string{view.FieldMode: "What to refund", view.FieldRefundedAmount: "Amount to refund",
		view.FieldLines: "Lines", view.FieldDescription: "Description", view.FieldReference: "Reference",
		view.FieldReturnFee: "Return fee", view.FieldReturnFeeTax: "Return fee tax rate"} {
		f.Labels[k] = v
	}
	d := refundDraft{pickDraft: pickAmount(f, o, orders.RefundBalances(o), refundWords, numbers)}
	d.goods = d.amount
	desc, ok1 := form.Text(f, view.FieldDescription, false, 255)
	ref, ok2 := form.Text(f, view.FieldReference, false, 255)
	feeLine, ok3 := returnFee(f, o, &d, numbers)
	if !d.known || !ok1 || !ok2 || !ok3 || f.HasErrors() {
		return d
	}
	lines := d.lines
	if feeLine != nil {
		lines = append(lines[:len(lines):len(lines)], *feeLine)
		d.amount = d.goods - d.fee
		d.lines = lines
	}
	body := &omclient.RefundRequest{RefundedAmount: d.amount, Description: desc, Reference: ref, OrderLines: lines}
	rename := d.pickRename(refundWords)
	form.ClientErrors(f, body, func(path string) string {
		if k, _, ok := form.SplitLinePath(path); ok && feeLine != nil && k == len(lines)-1 {
			return view.FieldReturnFee
		}
		return rename(path)
	})
	if !f.HasErrors() {
		d.body = body
	}
	return d
}

// returnFee reads the optional return fee: nil when none is typed. A fee
// is offered only where the provider allows it (orders.ReturnFeeWhyNot),
// needs the refunded lines (the line sum must equal the refunded amount),
// and must be less than the goods refunded.
func returnFee(f *view.Form, o *omclient.Order, d *refundDraft, numbers string) (*omclient.OrderLine, bool) {
	if f.Value(view.FieldReturnFee) == "" {
		return nil, true
	}
	if why := orders.ReturnFeeWhyNot(o); why != "" {
		f.AddError(view.FieldReturnFee, "No return fee on this order: "+why)
		return nil, false
	}
	cur := o.PurchaseCurrency.String()
	fee, ok := form.Amount(f, view.FieldReturnFee, cur)
	rate := int64(0)
	okRate := true
	if f.Value(view.FieldReturnFeeTax) != "" {
		rate, okRate = form.Percent(f, view.FieldReturnFeeTax)
	}
	if !ok || !okRate {
		return nil, false
	}
	if fee == 0 || !d.known {
		return nil, true
	}
	show := func(v int64) string { return money.Show(v, cur, numbers) }
	switch {
	case d.mode == view.ModeAmount:
		f.AddError(view.FieldReturnFee, "A return fee needs the refunded lines: choose “Everything refundable” or “Chosen lines”")
		return nil, false
	case len(d.lines) == 0:
		f.AddError(view.FieldReturnFee, "A return fee needs the refunded lines, and the open lines do not add up to the refundable amount: choose “Chosen lines”")
		return nil, false
	case fee >= d.goods:
		f.AddError(view.FieldReturnFee, "The fee must be less than the goods refunded, "+show(d.goods))
		return nil, false
	}
	d.fee = fee
	l := orders.ReturnFeeLine(fee, rate)
	return &l, true
}

// defaultFeeRate prefills the return fee's tax rate with the rate of the
// order's first line (fees are usually taxed at the goods' rate).
func defaultFeeRate(o *omclient.Order) string {
	if len(o.OrderLines) == 0 {
		return "0"
	}
	return view.PercentInput(o.OrderLines[0].TaxRate)
}

// refundPreview is the effect of refunding d.amount.
func refundPreview(f view.Form, o *omclient.Order, d refundDraft, live bool, numbers string) view.MoneyPreview {
	after := view.AmountsOf(o)
	after.Refunded += d.amount
	summary := "Refund " + view.MoneyText(d.amount, o, numbers) + linesCount(d.lines)
	if d.fee > 0 {
		summary += ": " + view.MoneyText(d.goods, o, numbers) + " of goods less a return fee of " + view.MoneyText(d.fee, o, numbers)
	}
	return pickPreview(f, o, d.pickDraft, after, summary, live, refundWords, numbers)
}
