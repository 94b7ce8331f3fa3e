package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Refund (POST .../refunds): everything refundable (captured minus
// refunded), chosen captured lines and quantities (at most what is not
// yet refunded), or a typed amount; a description; and, where the
// provider allows it, a return fee: a return_fee line with a negative
// amount, so the refunded amount is the goods minus the fee.

var refundWords = pickWords{verb: "refund", done: "refunded", left: "what can be refunded (captured minus refunded)", amountField: view.FieldRefundedAmount, full: "Everything refundable", button: "Refund"}

var refundFields = []string{view.FieldMode, view.FieldRefundedAmount, view.FieldDescription, view.FieldReference,
	view.FieldReturnFee, view.FieldReturnFeeTax}

// refundDraft is the refund the typed values describe.
type refundDraft struct {
	pickDraft
	goods, fee int64 // the goods refunded and the return fee (refunded = goods − fee)
	body       *omclient.RefundRequest
}

// showRefundForm is GET /orders/:id/refund.
func (h *Handlers) showRefundForm(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpCreateRefund)
	if !ok {
		return err
	}
	// No mode is chosen: the agent picks one, or typing picks it (a
	// preselected "everything" once sent every line when a quantity was
	// typed and the choice left alone).
	for _, n := range refundFields {
		cf.Form.SetValue(n, "")
	}
	cf.Form.SetValue(view.FieldReturnFeeTax, defaultFeeRate(cf.Order))
	return h.renderRefund(c, cf, refundDraftOf(&cf.Form, cf.Order, h.orderNumbers(c, cf.Order)), http.StatusOK, true)
}

// submitRefund is POST /orders/:id/refund.
func (h *Handlers) submitRefund(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpCreateRefund)
	if !ok {
		return err
	}
	readPickValues(c, cf, refundFields, orders.RefundBalances(cf.Order))
	if editButton(c) != "" {
		keepHidden(c, &cf.Form)
		return h.renderRefund(c, cf, refundDraftOf(&cf.Form, cf.Order, h.orderNumbers(c, cf.Order)), http.StatusOK, true)
	}
	ch, commonOK := cf.readCommon(c)
	d := refundDraftOf(&cf.Form, cf.Order, h.orderNumbers(c, cf.Order))
	if body := sameFormAgain[omclient.RefundRequest](h, c, cf, commonOK); body != nil {
		// The same form again after its outcome was lost (form_resend.go).
		d.body = body
	}
	if !commonOK || d.body == nil || cf.Form.HasErrors() {
		return h.renderRefund(c, cf, d, http.StatusUnprocessableEntity, false)
	}
	ch.Body = d.body
	o := cf.Order
	flash := func(res orders.Result) string {
		var parts []string
		if res.ResourceID != "" {
			parts = append(parts, "refund "+res.ResourceID)
		}
		if n := len(d.body.OrderLines); n > 0 {
			parts = append(parts, countText(n, "line"))
		}
		if d.fee > 0 {
			parts = append(parts, view.MoneyText(d.goods, o, h.orderNumbers(c, o))+" less a return fee of "+view.MoneyText(d.fee, o, h.orderNumbers(c, o)))
		}
		msg := "Refunded " + view.MoneyText(d.body.RefundedAmount, o, h.orderNumbers(c, o))
		if len(parts) > 0 {
			msg += " (" + strings.Join(parts, ", ") + ")"
		}
		return msg
	}
	return h.holdOrSubmit(c, cf, ch, flash, func(status int) error {
		scratch := view.Form{Values: cf.Form.Values, Labels: map[string]string{}}
		return h.renderRefund(c, cf, refundDraftOf(&scratch, cf.Order, h.orderNumbers(c, cf.Order)), status, false)
	})
}

// previewRefund is POST /orders/:id/refund/preview: the live effect.
func (h *Handlers) previewRefund(c echo.Context) error {
	o, err := h.formOrder(c, omclient.OpCreateRefund)
	if err != nil {
		return previewError(c, err)
	}
	cf := &changeForm{Order: o, Form: view.Form{Values: map[string]string{}, Labels: map[string]string{}}}
	readPickValues(c, cf, refundFields, orders.RefundBalances(o))
	d := refundDraftOf(&cf.Form, o, h.orderNumbers(c, o))
	p := refundPreview(cf.Form, o, d, true, h.orderNumbers(c, o))
	p.Approval = h.refundApprovalNote(c, o, d)
	return render(c, http.StatusOK, templates.MoneyPreviewFragment(p))
}

// refundDraftOf checks the typed values against the order and builds the
// request when they are complete.
func refundDraftOf(f *view.Form, o *omclient.Order, numbers string) refundDraft {
	for k, v := range map[string]string{view.FieldMode: "What to refund", view.FieldRefundedAmount: "Amount to refund",
		view.FieldLines: "Lines", view.FieldDescription: "Description", view.FieldReference: "Reference",
		view.FieldReturnFee: "Return fee", view.FieldReturnFeeTax: "Return fee tax rate"} {
		f.Labels[k] = v
	}
	left := max(o.CapturedAmount-o.RefundedAmount, 0)
	d := refundDraft{pickDraft: pickAmount(f, o, orders.RefundBalances(o), left, refundWords, numbers)}
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

// renderRefund renders the form; fresh hides messages.
func (h *Handlers) renderRefund(c echo.Context, cf *changeForm, d refundDraft, status int, fresh bool) error {
	o := cf.Order
	f := cf.Form
	if fresh {
		f.Errors = nil
	}
	why := orders.ReturnFeeWhyNot(o)
	preview := refundPreview(f, o, d, false, h.orderNumbers(c, o))
	f.Submit = preview.Submit
	v := view.RefundFormView{
		Form: f, PreviewPath: f.Path + "/preview", Currency: o.PurchaseCurrency.String(), Mode: d.mode,
		Refundable: view.MoneyOf(max(o.CapturedAmount-o.RefundedAmount, 0), o, h.orderNumbers(c, o)), Rows: d.rows, LinesNote: d.linesNote,
		ReturnFee: why == "", ReturnFeeWhyNot: why,
		Preview: preview,
	}
	v.Preview.Approval = h.refundApprovalNote(c, o, d)
	return h.renderForm(c, status, v.Form, templates.RefundForm(v))
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

// refundApprovalNote is why the drafted refund would wait for approval.
func (h *Handlers) refundApprovalNote(c echo.Context, o *omclient.Order, d refundDraft) string {
	if d.body == nil {
		return ""
	}
	return h.approvalNote(c, o, orders.Change{Op: omclient.OpCreateRefund, OrderID: o.OrderID, Body: d.body})
}
