package handlers

import (
	"slices"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// renderAmount renders the form. fresh hides the messages (a form just
// opened or re-rendered by an editing button shows the effect, not
// complaints about fields the agent has not filled in yet).
func (h *Handlers) renderAmount(c echo.Context, cf *changeForm, d amountDraft, status int, fresh bool) error {
	o := cf.Order
	f := cf.Form
	f.Submit = "Change the order"
	if fresh {
		f.Errors = slices.DeleteFunc(slices.Clone(f.Errors), func(e view.FieldError) bool { return e.Field != view.FieldLines })
	}
	v := view.AmountFormView{
		Form:          f,
		PreviewPath:   f.Path + "/preview",
		Currency:      o.PurchaseCurrency.String(),
		Mode:          d.mode,
		Rows:          d.lines.Cells,
		TypeOptions:   view.LineTypeOptions(),
		MaxLines:      omclient.MaxOrderLines,
		HasOrderLines: len(o.OrderLines) > 0,
		Current:       view.MoneyOf(o.OrderAmount, o, h.orderNumbers(c, o)),
		Captured:      view.MoneyOf(o.CapturedAmount, o, h.orderNumbers(c, o)),
	}
	if len(v.Rows) < d.rows {
		// Amount-only mode parses no rows; still show them for editing.
		for i := len(v.Rows); i < d.rows; i++ {
			v.Rows = append(v.Rows, view.LineRow{Index: i, Src: f.Value(view.LineField(i, view.FieldLineSrc)), Total: "–", Tax: "–"})
		}
	}
	if !orders.IncreaseAllowed(o) {
		v.IncreaseNote = "The payment method (" + paymentMethodName(o) + ") cannot have its amount increased according to the provider's documentation: an increase is likely refused."
	}
	v.Preview = amountPreview(&changeForm{Order: o, Form: f}, d, false, h.Provider, h.orderNumbers(c, o))
	v.Preview.Approval = h.amountApprovalNote(c, o, d)
	panel := templates.AmountForm(v)
	return h.renderForm(c, status, v.Form, panel)
}

// amountApprovalNote is why the drafted amount change would wait for
// approval (a cut across the threshold).
func (h *Handlers) amountApprovalNote(c echo.Context, o *omclient.Order, d amountDraft) string {
	if d.body == nil {
		return ""
	}
	return h.approvalNote(c, o, orders.Change{Op: omclient.OpUpdateAuthorization, OrderID: o.OrderID, Body: d.body})
}

// amountPreview is the live part: effect, lines' sums, confirmations.
// live drops field messages into Problems (the preview endpoint).
func amountPreview(cf *changeForm, d amountDraft, live bool, provider omclient.Provider, numbers string) view.MoneyPreview {
	o, f := cf.Order, cf.Form
	cur, lc := o.PurchaseCurrency.String(), numbers
	after := view.AmountsOf(o)
	if d.known {
		after.Order, after.Remaining = d.amount, max(d.amount-o.CapturedAmount, 0)
	}
	p := view.MoneyPreview{Effect: view.NewEffect(o, after, d.known, numbers)}
	switch {
	case d.known && d.mode == view.ModeLines && d.amount == o.OrderAmount && form.LinesEqual(d.lines.Lines, o.OrderLines):
		p.Effect.Summary = "No change yet: the lines are as they are now."
	case d.known:
		p.Effect.Summary = "Order amount " + money.Show(o.OrderAmount, cur, lc) + " → " + money.Show(d.amount, cur, lc)
	}
	if d.mode == view.ModeLines {
		t := orders.SumLines(d.lines.Lines)
		p.HasLines = true
		p.LinesDiscount, p.LinesTax, p.LinesTotal = view.MoneyOf(t.Discount, o, numbers), view.MoneyOf(t.Tax, o, numbers), view.MoneyOf(t.Total, o, numbers)
		for _, r := range d.lines.Cells {
			p.LineTotals = append(p.LineTotals, view.LineCell{ID: r.TotalID(), Text: r.Total}, view.LineCell{ID: r.TaxID(), Text: r.Tax})
		}
		if !d.lines.OK {
			p.Effect.Ready = false
		}
	}
	if d.known && d.amount > o.OrderAmount && !orders.IncreaseAllowed(o) {
		p.SendAnyway = &view.Confirm{Name: view.FieldSendAnyway, Label: "Send the increase anyway",
			Text: "This raises the order amount, but the payment method (" + paymentMethodName(o) + ") cannot be increased according to the provider's documentation " +
				"(increases: invoice, business invoice, account, direct debit outside CH, fixed amount in AT DE DK FI FR NL NO SE, deferred interest in the US). " +
				"The provider will most likely refuse; the customer may have to place a new order.",
			Checked: f.Value(view.FieldSendAnyway) != "", Error: f.Err(view.FieldSendAnyway)}
	}
	if d.mode == view.ModeAmount && len(o.OrderLines) > 0 {
		text := "Amount only sends no order lines, and the provider then deletes the order's " + countText(len(o.OrderLines), "line") +
			": the order will show only its amount. To keep the lines, choose “Edit the lines” (to lower the amount, add a discount line)."
		if provider == omclient.ProviderKustom {
			text += " Kustom's documentation also lists the lines as required, so it may refuse an amount without lines."
		}
		p.DropLines = &view.Confirm{Name: view.FieldDropLines, Label: "Remove the order's lines",
			Text: text, Checked: f.Value(view.FieldDropLines) != "", Error: f.Err(view.FieldDropLines)}
	}
	if live {
		for _, e := range f.Errors {
			if e.Field == view.FieldSendAnyway || e.Field == view.FieldDropLines {
				continue // the confirmation box says it
			}
			p.Effect.Problems = append(p.Effect.Problems, f.SummaryText(e))
		}
		if len(p.Effect.Problems) > 0 {
			p.Effect.Ready = false
		}
	}
	return p
}

// paymentMethodName is the order's payment method as agents read it.
func paymentMethodName(o *omclient.Order) string {
	return view.PaymentTypeText(o.InitialPaymentMethod)
}
