package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

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

var refundWords = pickWords{verb: "refund", done: "refunded", amountField: view.FieldRefundedAmount, full: "Everything refundable", button: "Refund",
	most: orders.Refundable, check: func(o *omclient.Order, v int64) *omclient.FieldError { return orders.RefundDraft{Amount: v}.Check(o) }}

var refundFields = []string{view.FieldMode, view.FieldRefundedAmount, view.FieldDescription, view.FieldReference,
	view.FieldReturnFee, view.FieldReturnFeeTax}

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
		Refundable: view.MoneyOf(orders.Refundable(o), o, h.orderNumbers(c, o)), Rows: d.rows, LinesNote: d.linesNote,
		ReturnFee: why == "", ReturnFeeWhyNot: why,
		Preview: preview,
	}
	v.Preview.Approval = h.refundApprovalNote(c, o, d)
	return h.renderForm(c, status, v.Form, templates.RefundForm(v))
}

// refundApprovalNote is why the drafted refund would wait for approval.
func (h *Handlers) refundApprovalNote(c echo.Context, o *omclient.Order, d refundDraft) string {
	if d.body == nil {
		return ""
	}
	return h.approvalNote(c, o, orders.Change{Op: omclient.OpCreateRefund, OrderID: o.OrderID, Body: d.body})
}
