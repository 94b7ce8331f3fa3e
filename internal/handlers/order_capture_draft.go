package handlers

import (
	"net/url"
	"slices"

	"ordercare/internal/handlers/form"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// captureDraft is the capture the typed values describe.
type captureDraft struct {
	pickDraft
	body *omclient.CaptureRequest
}

// captureDraftOf checks the typed values against the order and builds the
// request when they are complete.
func captureDraftOf(f *view.Form, o *omclient.Order, numbers string) captureDraft {
	for k, v := range map[string]string{view.FieldMode: "What to capture", view.FieldCapturedAmount: "Amount to capture",
		view.FieldLines: "Lines", view.FieldDescription: "Description", view.FieldReference: "Reference",
		view.FieldShipCompany: "Shipping company", view.FieldShipMethod: "Shipping method",
		view.FieldShipTracking: "Tracking number", view.FieldShipURI: "Tracking link"} {
		f.Labels[k] = v
	}
	d := captureDraft{pickDraft: pickAmount(f, o, orders.CaptureBalances(o), captureWords, numbers)}
	desc, ok1 := form.Text(f, view.FieldDescription, false, 255)
	ref, ok2 := form.Text(f, view.FieldReference, false, 255)
	ship, ok3 := shippingEntry(f)
	if !d.known || !ok1 || !ok2 || !ok3 || f.HasErrors() {
		return d
	}
	body := &omclient.CaptureRequest{CapturedAmount: d.amount, Description: desc, Reference: ref, OrderLines: d.lines}
	if ship != nil {
		body.ShippingInfo = []omclient.ShippingInfo{*ship}
	}
	form.ClientErrors(f, body, d.pickRename(captureWords))
	if !f.HasErrors() {
		d.body = body
	}
	return d
}

// shippingEntry reads the optional shipping info of a capture: nil when
// all its fields are empty.
func shippingEntry(f *view.Form) (*omclient.ShippingInfo, bool) {
	company, ok1 := form.Text(f, view.FieldShipCompany, false, 100)
	number, ok2 := form.Text(f, view.FieldShipTracking, false, 100)
	uri, ok3 := form.Text(f, view.FieldShipURI, false, 1024)
	method := f.Value(view.FieldShipMethod)
	ok4 := true
	if method != "" && !slices.Contains(omclient.ShippingMethods, method) {
		f.AddError(view.FieldShipMethod, "Choose a shipping method from the list")
		ok4 = false
	}
	if ok3 && uri != "" {
		u, err := url.Parse(uri)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			f.AddError(view.FieldShipURI, "Type a web address starting with https:// or http://")
			ok3 = false
		}
	}
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, false
	}
	if company == "" && number == "" && uri == "" && method == "" {
		return nil, true
	}
	return &omclient.ShippingInfo{ShippingCompany: omclient.Text(company), ShippingMethod: omclient.Text(method),
		TrackingNumber: omclient.Text(number), TrackingURI: omclient.Text(uri)}, true
}

// capturePreview is the effect of capturing d.amount.
func capturePreview(f view.Form, o *omclient.Order, d pickDraft, live bool, numbers string) view.MoneyPreview {
	after := view.AmountsOf(o)
	after.Captured += d.amount
	after.Remaining -= d.amount
	summary := "Capture " + money.Show(d.amount, o.PurchaseCurrency.String(), numbers) + linesCount(d.lines)
	return pickPreview(f, o, d, after, summary, live, captureWords, numbers)
}
