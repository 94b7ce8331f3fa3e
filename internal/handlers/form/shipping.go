package form

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"ordercare/internal/omclient"
	"ordercare/web/templates/view"
)

// The add-shipping-info form's entries: their fields, limits and rules.

// Limits of a shipping info entry (the API reference's shipping info schema).
const (
	maxShipText = 100
	maxURI      = 1024
	// MaxShipRows bounds how many rows a posted form may claim, so a
	// forged count cannot make the server build a huge form.
	MaxShipRows = 2 * omclient.MaxShippingInfo
)

// shipFields are an entry's fields in form order.
var shipFields = []struct{ key, label string }{
	{view.ShipCompany, "Shipping company"},
	{view.ShipMethod, "Method"},
	{view.ShipTrackingNumber, "Tracking number"},
	{view.ShipTrackingURI, "Tracking link"},
	{view.ShipReturnCompany, "Return shipping company"},
	{view.ShipReturnTrackingNumber, "Return tracking number"},
	{view.ShipReturnTrackingURI, "Return tracking link"},
}

// ShipRow reads entry i as typed (trimmed).
func ShipRow(r *http.Request, i int) omclient.ShippingInfo {
	v := func(key string) omclient.Text { return omclient.Text(Value(r, view.ShipField(i, key))) }
	return omclient.ShippingInfo{
		ShippingCompany: v(view.ShipCompany), ShippingMethod: v(view.ShipMethod),
		TrackingNumber: v(view.ShipTrackingNumber), TrackingURI: v(view.ShipTrackingURI),
		ReturnShippingCompany: v(view.ShipReturnCompany), ReturnTrackingNumber: v(view.ShipReturnTrackingNumber),
		ReturnTrackingURI: v(view.ShipReturnTrackingURI),
	}
}

// shipValues are an entry's values by field key.
func shipValues(s omclient.ShippingInfo) map[string]string {
	return map[string]string{
		view.ShipCompany: string(s.ShippingCompany), view.ShipMethod: string(s.ShippingMethod),
		view.ShipTrackingNumber: string(s.TrackingNumber), view.ShipTrackingURI: string(s.TrackingURI),
		view.ShipReturnCompany: string(s.ReturnShippingCompany), view.ShipReturnTrackingNumber: string(s.ReturnTrackingNumber),
		view.ShipReturnTrackingURI: string(s.ReturnTrackingURI),
	}
}

// SetShipRow puts entry i's values (and labels) into the form.
func SetShipRow(f *view.Form, i int, s omclient.ShippingInfo) {
	vals := shipValues(s)
	for _, sf := range shipFields {
		name := view.ShipField(i, sf.key)
		f.SetValue(name, vals[sf.key])
		f.Labels[name] = "Entry " + strconv.Itoa(i+1) + ", " + strings.ToLower(sf.label)
	}
	f.SetValue(view.FieldShipping, "")
	f.Labels[view.FieldShipping] = "Entries"
}

// CheckShipRow applies the entry rules with messages at the fields.
func CheckShipRow(f *view.Form, i int, s omclient.ShippingInfo) {
	if s == (omclient.ShippingInfo{}) {
		f.AddError(view.ShipField(i, view.ShipCompany), "This entry is empty: fill it in or remove it")
		return
	}
	vals := shipValues(s)
	for _, sf := range shipFields {
		name, v := view.ShipField(i, sf.key), vals[sf.key]
		switch sf.key {
		case view.ShipMethod:
			if v != "" && !slices.Contains(omclient.ShippingMethods, v) {
				f.AddError(name, "Choose a method from the list")
			}
		case view.ShipTrackingURI, view.ShipReturnTrackingURI:
			if msg := CheckText(v, false, maxURI); msg != "" {
				f.AddError(name, msg)
			} else if v != "" && !httpURL(v) {
				f.AddError(name, "Enter a full web address starting with https:// or http://")
			}
		default:
			if msg := CheckText(v, false, maxShipText); msg != "" {
				f.AddError(name, msg)
			}
		}
	}
}

// httpURL accepts absolute http(s) URLs with a host, the only links the
// order page will ever render as links.
func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
