package handlers

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
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

// showAmountForm is GET /orders/:id/amount.
func (h *Handlers) showAmountForm(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateAuthorization)
	if !ok {
		return err
	}
	cur := cf.Order.PurchaseCurrency.String()
	rows := make([]form.EditRow, 0, len(cf.Order.OrderLines))
	for i, l := range cf.Order.OrderLines {
		rows = append(rows, form.RowOf(l, i, cur))
	}
	cf.Form.SetValue(view.FieldMode, view.ModeLines)
	form.SetEditRows(&cf.Form, rows)
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
				rows = append(rows, form.NewEditRow(rows))
			}
		case view.ButtonRemoveLine:
			if i, err := form.Index(formValue(c, view.ButtonRemoveLine)); err == nil && i < len(rows) {
				rows = slices.Delete(rows, i, i+1)
			}
		}
		form.ClearLines(&cf.Form)
		form.SetEditRows(&cf.Form, rows)
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
func readAmountValues(c echo.Context, cf *changeForm) ([]form.EditRow, bool) {
	cf.readValues(c, view.FieldMode, view.FieldOrderAmount, view.FieldDescription, view.FieldSendAnyway, view.FieldDropLines)
	rows, tooMany := form.ReadEditRows(formParams(c))
	form.SetEditRows(&cf.Form, rows)
	return rows, tooMany
}
