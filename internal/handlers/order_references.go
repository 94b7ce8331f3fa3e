package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The merchant references form (PATCH .../merchant-references): two
// fields of 0..255 characters. An emptied field clears that reference; a
// field left as the form showed it (the order's value when the form was
// rendered, carried in a hidden field) is not sent at all, so a reference
// changed meanwhile (in another tab, by the shop) is not overwritten with
// the value this form happened to show.

// maxReference is the length limit of a merchant reference (Klarna's order management guides on docs.klarna.com).
const maxReference = 255

// shownPrefix names the hidden fields holding the values the form showed.
const shownPrefix = "shown_"

var referenceFields = []struct{ name, label string }{
	{view.FieldReference1, "Merchant reference 1"},
	{view.FieldReference2, "Merchant reference 2"},
}

func (h *Handlers) showReferencesForm(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateMerchantReferences)
	if !ok {
		return err
	}
	cur := currentReferences(cf.Order)
	for i, rf := range referenceFields {
		cf.Form.SetValue(rf.name, cur[i])
		cf.Form.SetValue(shownPrefix+rf.name, cur[i])
	}
	return h.renderReferences(c, http.StatusOK, cf)
}

func (h *Handlers) submitReferences(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateMerchantReferences)
	if !ok {
		return err
	}
	ch, ok := cf.readCommon(c)
	f := &cf.Form
	cur := currentReferences(cf.Order)
	var send [2]*string
	for i, rf := range referenceFields {
		f.Labels[rf.name] = rf.label
		v := formValue(c, rf.name)
		// The shown value is what the agent started from; a missing one
		// (an old or hand-made form) counts as "the current value".
		shown, hasShown := c.Request().Form[shownPrefix+rf.name]
		f.SetValue(rf.name, v)
		if hasShown && len(shown) == 1 {
			f.SetValue(shownPrefix+rf.name, shown[0])
		} else {
			f.SetValue(shownPrefix+rf.name, cur[i])
		}
		if msg := form.CheckText(v, false, maxReference); msg != "" {
			f.AddError(rf.name, msg)
			continue
		}
		// Untouched means as the form showed it (not as the order has it
		// now): a double submit then sends the same body again, which the
		// pipeline answers from the first attempt.
		if v == f.Value(shownPrefix+rf.name) {
			continue
		}
		send[i] = &v
	}
	if send[0] == nil && send[1] == nil && !f.HasErrors() {
		f.AddError("", "Nothing to send: both references are as the order has them. Change at least one (an empty field clears it).")
	}
	render := func(status int) error { return h.renderReferences(c, status, cf) }
	body := &omclient.UpdateMerchantReferencesRequest{MerchantReference1: send[0], MerchantReference2: send[1]}
	if !f.HasErrors() {
		cf.validateBody(body)
	}
	if !ok || f.HasErrors() {
		return render(http.StatusUnprocessableEntity)
	}
	ch.Body = body
	return h.submitChange(c, cf, ch, referencesFlash, render)
}

// referencesFlash: "Merchant references updated: reference 1 A-1 → A-2".
func referencesFlash(res orders.Result) string {
	d := form.DescribeChanges(res.Before, res.After, []string{view.FieldReference1, view.FieldReference2},
		map[string]string{view.FieldReference1: "reference 1", view.FieldReference2: "reference 2"})
	if d == "" {
		return "Merchant references updated."
	}
	return "Merchant references updated: " + d
}

func currentReferences(o *omclient.Order) [2]string {
	return [2]string{strings.TrimSpace(string(o.MerchantReference1)), strings.TrimSpace(string(o.MerchantReference2))}
}

func (h *Handlers) renderReferences(c echo.Context, status int, cf *changeForm) error {
	for _, rf := range referenceFields {
		cf.Form.Labels[rf.name] = rf.label
	}
	cur := currentReferences(cf.Order)
	v := view.ReferencesForm{Form: cf.Form, Current1: cur[0], Current2: cur[1]}
	return h.renderForm(c, status, v.Form, templates.ReferencesFormPanel(v))
}
