package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Capture (POST .../captures): the whole remaining amount, chosen lines
// and quantities, or a typed amount; never more than the remaining
// authorized amount. Optional description, reference and one shipping
// info entry.

var captureWords = pickWords{verb: "capture", done: "captured", amountField: view.FieldCapturedAmount, full: "Everything that is left", button: "Capture",
	most: orders.Capturable, check: func(o *omclient.Order, v int64) *omclient.FieldError { return orders.CaptureDraft{Amount: v}.Check(o) }}

// captureFields are the posted fields of the capture form besides the
// picker's quantities.
var captureFields = []string{view.FieldMode, view.FieldCapturedAmount, view.FieldDescription, view.FieldReference,
	view.FieldShipCompany, view.FieldShipMethod, view.FieldShipTracking, view.FieldShipURI}

// showCaptureForm is GET /orders/:id/capture.
func (h *Handlers) showCaptureForm(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpCreateCapture)
	if !ok {
		return err
	}
	// No mode is chosen: the agent picks one, or typing picks it (a
	// preselected "everything" once sent every line when a quantity was
	// typed and the choice left alone).
	for _, n := range captureFields {
		cf.Form.SetValue(n, "")
	}
	return h.renderCapture(c, cf, captureDraftOf(&cf.Form, cf.Order, h.orderNumbers(c, cf.Order)), http.StatusOK, true)
}

// submitCapture is POST /orders/:id/capture: "Update totals" re-renders,
// the submit button checks and sends.
func (h *Handlers) submitCapture(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpCreateCapture)
	if !ok {
		return err
	}
	readPickValues(c, cf, captureFields, orders.CaptureBalances(cf.Order))
	if editButton(c) != "" {
		keepHidden(c, &cf.Form)
		return h.renderCapture(c, cf, captureDraftOf(&cf.Form, cf.Order, h.orderNumbers(c, cf.Order)), http.StatusOK, true)
	}
	ch, commonOK := cf.readCommon(c)
	d := captureDraftOf(&cf.Form, cf.Order, h.orderNumbers(c, cf.Order))
	if body := sameFormAgain[omclient.CaptureRequest](h, c, cf, commonOK); body != nil {
		// The same form again after its outcome was lost: send what was
		// sent then (form_resend.go), whatever the order holds now.
		d.body = body
	}
	if !commonOK || d.body == nil || cf.Form.HasErrors() {
		return h.renderCapture(c, cf, d, http.StatusUnprocessableEntity, false)
	}
	ch.Body = d.body
	o := cf.Order
	flash := func(res orders.Result) string {
		ref := res.ResourceID
		if res.Order != nil {
			if i := slices.IndexFunc(res.Order.Captures, func(x omclient.Capture) bool { return x.CaptureID == res.ResourceID }); i >= 0 {
				if k := strings.TrimSpace(string(res.Order.Captures[i].KlarnaReference)); k != "" {
					ref = k
				}
			}
		}
		msg := "Captured " + view.MoneyText(d.body.CapturedAmount, o, h.orderNumbers(c, o))
		if ref != "" {
			msg += " (capture " + ref + linesCount(d.body.OrderLines) + ")"
		}
		return msg
	}
	return h.submitChange(c, cf, ch, flash, func(status int) error {
		scratch := view.Form{Values: cf.Form.Values, Labels: map[string]string{}}
		return h.renderCapture(c, cf, captureDraftOf(&scratch, cf.Order, h.orderNumbers(c, cf.Order)), status, false)
	})
}

// previewCapture is POST /orders/:id/capture/preview: the live effect.
func (h *Handlers) previewCapture(c echo.Context) error {
	o, err := h.formOrder(c, omclient.OpCreateCapture)
	if err != nil {
		return previewError(c, err)
	}
	cf := &changeForm{Order: o, Form: view.Form{Values: map[string]string{}, Labels: map[string]string{}}}
	readPickValues(c, cf, captureFields, orders.CaptureBalances(o))
	d := captureDraftOf(&cf.Form, o, h.orderNumbers(c, o))
	return render(c, http.StatusOK, templates.MoneyPreviewFragment(capturePreview(cf.Form, o, d.pickDraft, true, h.orderNumbers(c, o))))
}

// readPickValues copies the posted fields and the picker's quantities
// into the form's values.
func readPickValues(c echo.Context, cf *changeForm, fields []string, balances []orders.LineBalance) {
	cf.readValues(c, fields...)
	for i, b := range balances {
		if b.Open() > 0 {
			cf.readValues(c, view.LineField(i, view.FieldLineQuantity))
		}
	}
}

// renderCapture renders the form; fresh hides messages (a form just
// opened or updated with "Update totals").
func (h *Handlers) renderCapture(c echo.Context, cf *changeForm, d captureDraft, status int, fresh bool) error {
	o := cf.Order
	f := cf.Form
	if fresh {
		f.Errors = nil
	}
	preview := capturePreview(f, o, d.pickDraft, false, h.orderNumbers(c, o))
	f.Submit = preview.Submit
	v := view.CaptureFormView{
		Form: f, PreviewPath: f.Path + "/preview", Currency: o.PurchaseCurrency.String(), Mode: d.mode,
		Remaining: view.MoneyOf(orders.Capturable(o), o, h.orderNumbers(c, o)), Rows: d.rows, LinesNote: d.linesNote,
		ShippingMethods: view.ShippingMethodOptions(omclient.ShippingMethods),
		Preview:         preview,
	}
	return h.renderForm(c, status, v.Form, templates.CaptureForm(v))
}
