package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The add-shipping-info form (POST .../shipping-info), for the order and,
// with the same rows, for one capture (capture_actions.go). One or more
// entries; "Add another entry" and "Remove entry N" are submit buttons
// that re-render the form with a row more or less, so the form works
// without JavaScript, and nothing is sent until the main submit.

func (h *Handlers) showShippingInfoForm(c echo.Context) error {
	return h.shippingInfoForm(c, omclient.OpAddOrderShippingInfo, false)
}

func (h *Handlers) submitShippingInfo(c echo.Context) error {
	return h.shippingInfoForm(c, omclient.OpAddOrderShippingInfo, true)
}

// shippingInfoForm shows (post false) or processes the form for op, the
// order's or a capture's shipping info.
func (h *Handlers) shippingInfoForm(c echo.Context, op omclient.Operation, post bool) error {
	cf, ok, err := h.openForm(c, op)
	if !ok {
		return err
	}
	if cf.Capture != nil {
		cf.Form.Title += " " + captureRef(cf.Capture)
	}
	cf.Form.Submit = "Add shipping info"
	rows := 1
	render := func(status int) error { return h.renderShippingInfo(c, status, cf, rows) }
	if !post {
		form.SetShipRow(&cf.Form, 0, omclient.ShippingInfo{})
		return render(http.StatusOK)
	}

	ch, okCommon := cf.readCommon(c)
	f := &cf.Form
	rows, _ = strconv.Atoi(formValue(c, view.FieldEntries))
	if rows < 1 || rows > form.MaxShipRows {
		rows = 1
	}
	infos := make([]omclient.ShippingInfo, rows)
	for i := range infos {
		infos[i] = form.ShipRow(c.Request(), i)
	}

	// Row buttons: re-render with a row more or less; no API call, the
	// messages wait for the real submit.
	if c.FormValue(view.FieldAddEntry) != "" || c.FormValue(view.FieldRemoveEntry) != "" {
		f.Errors = nil
		if c.FormValue(view.FieldAddEntry) != "" {
			if rows >= omclient.MaxShippingInfo {
				f.AddError(view.FieldShipping, fmt.Sprintf("At most %d entries in one submit", omclient.MaxShippingInfo))
			} else {
				infos = append(infos, omclient.ShippingInfo{})
			}
		} else if i, err := strconv.Atoi(c.FormValue(view.FieldRemoveEntry)); err == nil && i >= 0 && i < len(infos) && len(infos) > 1 {
			infos = slices.Delete(infos, i, i+1)
		}
		rows = len(infos)
		for i, s := range infos {
			form.SetShipRow(f, i, s)
		}
		return render(http.StatusOK)
	}

	for i, s := range infos {
		form.SetShipRow(f, i, s)
		form.CheckShipRow(f, i, s)
	}
	if rows > omclient.MaxShippingInfo {
		f.AddError(view.FieldShipping, fmt.Sprintf("At most %d entries in one submit (this form has %d): remove %d", omclient.MaxShippingInfo, rows, rows-omclient.MaxShippingInfo))
	}
	var body omclient.Request = &omclient.ShippingInfoRequest{ShippingInfo: infos}
	if cf.Action.Op == omclient.OpAddCaptureShippingInfo {
		body = &omclient.CaptureShippingInfoRequest{ShippingInfo: infos}
	}
	if !f.HasErrors() {
		cf.validateBody(body)
	}
	if !okCommon || f.HasErrors() {
		return render(http.StatusUnprocessableEntity)
	}
	ch.Body = body
	flash := func(orders.Result) string { return shippingFlash(infos, cf.Capture) }
	return h.submitChange(c, cf, ch, flash, render)
}

// shippingFlash: "Shipping info added to the order: DHL, tracking
// 00340434 (and 1 more entry)".
func shippingFlash(infos []omclient.ShippingInfo, c *omclient.Capture) string {
	where := "the order"
	if c != nil {
		where = "capture " + captureRef(c)
	}
	first := infos[0]
	var parts []string
	if s := string(first.ShippingCompany); s != "" {
		parts = append(parts, s)
	}
	if s := string(first.TrackingNumber); s != "" {
		parts = append(parts, "tracking "+s)
	}
	msg := "Shipping info added to " + where
	if len(parts) > 0 {
		msg += ": " + strings.Join(parts, ", ")
	}
	switch n := len(infos) - 1; {
	case n == 1:
		msg += " (and 1 more entry)"
	case n > 1:
		msg += fmt.Sprintf(" (and %d more entries)", n)
	}
	return msg + "."
}

// captureRef names a capture as agents see it ("K4MADNY-1"), else its id.
func captureRef(c *omclient.Capture) string {
	if ref := strings.TrimSpace(string(c.KlarnaReference)); ref != "" {
		return ref
	}
	return c.CaptureID
}

func (h *Handlers) renderShippingInfo(c echo.Context, status int, cf *changeForm, rows int) error {
	existing := len(cf.Order.ShippingInfo)
	if cf.Capture != nil {
		existing = len(cf.Capture.ShippingInfo)
	}
	v := view.ShippingInfoForm{Form: cf.Form, Rows: rows, Methods: view.ShippingMethodChoices(),
		Max: omclient.MaxShippingInfo, Existing: existing}
	return h.renderForm(c, status, v.Form, templates.ShippingInfoFormPanel(v))
}
