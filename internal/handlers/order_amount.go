package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// "Change amount and lines" (PATCH .../authorization): a line editor
// prefilled with the order's lines, or the order amount alone.
//
// Amount only sends no lines. The provider replaces the order's lines with
// the lines sent and deletes them when none are sent (the API reference, update authorization),
// and the current lines cannot be sent unchanged with another amount:
// their totals would not add up to it, which the provider refuses. So the
// agent must tick that the lines are removed; the form says how to keep
// them instead (edit the lines, e.g. add a discount line).

// amountDraft is what the typed values amount to.
type amountDraft struct {
	mode   string
	rows   int
	lines  parsedLines
	amount int64 // the new order amount; valid when known
	known  bool
	body   *omclient.UpdateAuthorizationRequest // nil unless complete and valid
	// sent maps order_lines[k] of the body to editor row sent[k].
	sent []int
}

// showAmountForm is GET /orders/:id/amount.
func (h *Handlers) showAmountForm(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateAuthorization)
	if !ok {
		return err
	}
	cur := cf.Order.PurchaseCurrency.String()
	rows := make([]editRow, 0, len(cf.Order.OrderLines))
	for i, l := range cf.Order.OrderLines {
		rows = append(rows, rowOf(l, i, cur))
	}
	cf.Form.SetValue(view.FieldMode, view.ModeLines)
	setEditRows(&cf.Form, rows)
	d := amountDraftOf(&cf.Form, cf.Order, len(rows), h.orderNumbers(c, cf.Order))
	return h.renderAmount(c, cf, d, http.StatusOK, true)
}

// submitAmount is POST /orders/:id/amount: an editing button re-renders
// the form (add or remove a row, update the totals); the submit button
// checks everything and sends.
func (h *Handlers) submitAmount(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateAuthorization)
	if !ok {
		return err
	}
	rows, tooMany := readAmountValues(c, cf)
	if b := editButton(c); b != "" {
		keepHidden(c, &cf.Form)
		switch b {
		case view.ButtonAddLine:
			if len(rows) >= omclient.MaxOrderLines {
				tooMany = true
			} else {
				rows = append(rows, newEditRow(rows))
			}
		case view.ButtonRemoveLine:
			if i, err := atoiStrict(formValue(c, view.ButtonRemoveLine)); err == nil && i < len(rows) {
				rows = slices.Delete(rows, i, i+1)
			}
		}
		clearLineValues(&cf.Form)
		setEditRows(&cf.Form, rows)
		d := amountDraftOf(&cf.Form, cf.Order, len(rows), h.orderNumbers(c, cf.Order))
		if tooMany {
			cf.Form.AddError(view.FieldLines, "At most "+strconv.Itoa(omclient.MaxOrderLines)+" lines")
		}
		return h.renderAmount(c, cf, d, http.StatusOK, !tooMany)
	}

	ch, commonOK := cf.readCommon(c)
	d := amountDraftOf(&cf.Form, cf.Order, len(rows), h.orderNumbers(c, cf.Order))
	if tooMany {
		cf.Form.AddError(view.FieldLines, "At most "+strconv.Itoa(omclient.MaxOrderLines)+" lines: the form has more")
		d.body = nil
	}
	if !commonOK || d.body == nil || cf.Form.HasErrors() {
		return h.renderAmount(c, cf, d, http.StatusUnprocessableEntity, false)
	}
	ch.Body = d.body
	before := cf.Order.OrderAmount
	cur, lc := cf.Order.PurchaseCurrency.String(), h.orderNumbers(c, cf.Order)
	beforeLines := len(cf.Order.OrderLines)
	flash := func(res orders.Result) string {
		after, afterLines := d.body.OrderAmount, len(d.body.OrderLines)
		if res.Order != nil {
			after, afterLines = res.Order.OrderAmount, len(res.Order.OrderLines)
		}
		msg := "Order amount " + money.Show(before, cur, lc) + " → " + money.Show(after, cur, lc)
		if afterLines != beforeLines {
			msg += " (" + countText(beforeLines, "line") + " → " + countText(afterLines, "line") + ")"
		}
		return msg
	}
	// An amount cut may need a second person (the four-eyes policy).
	return h.holdOrSubmit(c, cf, ch, flash, func(status int) error {
		return h.renderAmount(c, cf, amountDraftOf(&view.Form{Values: cf.Form.Values, Labels: map[string]string{}}, cf.Order, len(rows), h.orderNumbers(c, cf.Order)), status, false)
	})
}

// previewAmount is POST /orders/:id/amount/preview: the live effect of
// the typed values (the #money-preview fragment and each row's computed
// cells), nothing sent, no messages at the fields.
func (h *Handlers) previewAmount(c echo.Context) error {
	o, err := h.formOrder(c, omclient.OpUpdateAuthorization)
	if err != nil {
		return previewError(c, err)
	}
	f := view.Form{Values: map[string]string{}, Labels: map[string]string{}}
	cf := &changeForm{Order: o, Form: f}
	rows, tooMany := readAmountValues(c, cf)
	d := amountDraftOf(&cf.Form, o, len(rows), h.orderNumbers(c, o))
	p := amountPreview(cf, d, true, h.Provider, h.orderNumbers(c, o))
	p.Approval = h.amountApprovalNote(c, o, d)
	if tooMany {
		p.Effect.Problems = append(p.Effect.Problems, "At most "+strconv.Itoa(omclient.MaxOrderLines)+" lines")
		p.Effect.Ready = false
	}
	return render(c, http.StatusOK, templates.MoneyPreviewFragment(p))
}

// readAmountValues copies the posted fields of the amount form into the
// form's values and returns the editor rows.
func readAmountValues(c echo.Context, cf *changeForm) ([]editRow, bool) {
	cf.readValues(c, view.FieldMode, view.FieldOrderAmount, view.FieldDescription, view.FieldSendAnyway, view.FieldDropLines)
	rows, tooMany := readEditRows(c)
	setEditRows(&cf.Form, rows)
	return rows, tooMany
}

// clearLineValues forgets the rows' values before they are written again
// under new indexes (after a row was removed).
func clearLineValues(f *view.Form) {
	for k := range f.Values {
		if strings.HasPrefix(k, view.FieldLines+"[") {
			delete(f.Values, k)
		}
	}
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
	desc, descOK := textAt(f, view.FieldDescription, false, 255)

	switch d.mode {
	case view.ModeLines:
		d.lines = parseEditRows(f, nRows, cur, lc, o.OrderLines)
		if nRows == 0 {
			f.AddError(view.FieldLines, "Add at least one line, or choose “Amount only”")
			break
		}
		if !d.lines.ok {
			break
		}
		sum := orders.SumLines(d.lines.lines).Total
		if f.Value(view.FieldOrderAmount) != "" {
			typed, ok := amountAt(f, view.FieldOrderAmount, cur)
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
		for i := range d.lines.lines {
			d.sent = append(d.sent, i)
		}
	case view.ModeAmount:
		if v, ok := amountAt(f, view.FieldOrderAmount, cur); ok {
			d.amount, d.known = v, true
		}
		if d.known && len(o.OrderLines) > 0 && f.Value(view.FieldDropLines) == "" {
			f.AddError(view.FieldDropLines, "Tick to confirm that the order's "+countText(len(o.OrderLines), "line")+" will be removed, or edit the lines instead")
		}
	}
	if !d.known {
		return d
	}
	if d.amount < o.CapturedAmount {
		f.AddError(view.FieldOrderAmount, "The order amount cannot be less than the captured amount "+show(o.CapturedAmount))
	}
	if d.amount > o.OrderAmount && !orders.IncreaseAllowed(o) && f.Value(view.FieldSendAnyway) == "" {
		f.AddError(view.FieldSendAnyway, "Tick “Send anyway” to try an increase the payment method does not support")
	}
	if d.mode == view.ModeLines && d.amount == o.OrderAmount && linesEqual(d.lines.lines, o.OrderLines) && desc == "" {
		f.AddError("", "Nothing to change: the lines and the amount are as they are now")
	}
	if !descOK || f.HasErrors() {
		return d
	}
	body := &omclient.UpdateAuthorizationRequest{OrderAmount: d.amount, Description: desc}
	if d.mode == view.ModeLines {
		body.OrderLines = d.lines.lines
	}
	addClientErrors(f, body, func(path string) string {
		switch path {
		case "order_amount", "description":
			return path
		}
		return lineFieldOf(path, d.sent, view.FieldLineUnitPrice)
	})
	if !f.HasErrors() {
		d.body = body
	}
	return d
}

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
		Rows:          d.lines.cells,
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
	case d.known && d.mode == view.ModeLines && d.amount == o.OrderAmount && linesEqual(d.lines.lines, o.OrderLines):
		p.Effect.Summary = "No change yet: the lines are as they are now."
	case d.known:
		p.Effect.Summary = "Order amount " + money.Show(o.OrderAmount, cur, lc) + " → " + money.Show(d.amount, cur, lc)
	}
	if d.mode == view.ModeLines {
		t := orders.SumLines(d.lines.lines)
		p.HasLines = true
		p.LinesDiscount, p.LinesTax, p.LinesTotal = view.MoneyOf(t.Discount, o, numbers), view.MoneyOf(t.Tax, o, numbers), view.MoneyOf(t.Total, o, numbers)
		for _, r := range d.lines.cells {
			p.LineTotals = append(p.LineTotals, view.LineCell{ID: r.TotalID(), Text: r.Total}, view.LineCell{ID: r.TaxID(), Text: r.Tax})
		}
		if !d.lines.ok {
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

// plural writes "1 line", "3 lines".
func countText(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// previewError answers a preview request that cannot be computed with a
// fragment saying why, in place of the effect.
func previewError(c echo.Context, err error) error {
	var pe *PublicError
	msg := "The effect cannot be shown right now."
	if errors.As(err, &pe) {
		msg = pe.Message
	} else if c.Request().Context().Err() != nil {
		return err
	}
	return render(c, http.StatusOK, templates.MoneyPreviewUnavailable(msg))
}

// amountApprovalNote is why the drafted amount change would wait for
// approval (a cut across the threshold).
func (h *Handlers) amountApprovalNote(c echo.Context, o *omclient.Order, d amountDraft) string {
	if d.body == nil {
		return ""
	}
	return h.approvalNote(c, o, orders.Change{Op: omclient.OpUpdateAuthorization, OrderID: o.OrderID, Body: d.body})
}
