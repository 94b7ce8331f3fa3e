package handlers

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The shipping address form (PATCH .../customer-details), prefilled with
// the order's current shipping address.
//
// Mandatory, never cleared: given name, family name, street address,
// postal code, city and country, plus region for US addresses
// (omclient.MandatoryAddressFields): what a delivery needs and what the
// providers' risk checks refuse without. The provider's reference says
// "mandatory fields cannot be cleared" without a list; the sandbox refuses
// the same set. Any other field emptied on the form is cleared.

func (h *Handlers) showAddressForm(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateCustomerDetails)
	if !ok {
		return err
	}
	cur := currentAddress(cf.Order)
	for _, fd := range view.AddressFields {
		cf.Form.SetValue(fd.Name, cur[fd.Key])
	}
	if cf.Form.Value(view.AddrCountry) == "" {
		cf.Form.SetValue(view.AddrCountry, strings.ToUpper(string(cf.Order.PurchaseCountry)))
	}
	return h.renderAddress(c, http.StatusOK, cf)
}

func (h *Handlers) submitAddress(c echo.Context) error {
	cf, ok, err := h.openForm(c, omclient.OpUpdateCustomerDetails)
	if !ok {
		return err
	}
	ch, ok := cf.readCommon(c)
	render := func(status int) error { return h.renderAddress(c, status, cf) }

	f := &cf.Form
	cur := currentAddress(cf.Order)
	typed := map[string]string{}
	changed := false
	for _, fd := range view.AddressFields {
		f.Labels[fd.Name] = fd.Label
		v := formValue(c, fd.Name)
		if fd.Key == "country" {
			v = strings.ToUpper(v)
		}
		f.SetValue(fd.Name, v)
		typed[fd.Key] = v
		if v != cur[fd.Key] {
			changed = true
		}
	}
	var clear []string
	for _, fd := range view.AddressFields {
		v := typed[fd.Key]
		required := fd.Required || (fd.Key == "region" && typed["country"] == "US")
		switch {
		case fd.Key == "country" && v != "" && !slices.ContainsFunc(view.Countries, func(o view.Option) bool { return o.Value == v }):
			f.AddError(fd.Name, "Choose a country from the list")
		case required && v == "" && fd.Key == "region":
			f.AddError(fd.Name, "Enter the state or region: United States addresses need one")
		case required && v == "":
			f.AddError(fd.Name, "Enter the "+strings.ToLower(fd.Label)+": it cannot be empty")
		case v == "" && cur[fd.Key] != "":
			// An emptied optional field is sent as "", which the provider
			// clears; left out, it would keep its value.
			clear = append(clear, fd.Key)
		case fd.MaxLength > 0:
			if msg := form.CheckText(v, false, fd.MaxLength); msg != "" {
				f.AddError(fd.Name, msg)
			}
		}
	}
	if !changed && !f.HasErrors() && !h.keyUsed(c, ch.IdempotencyKey) {
		f.AddError("", "Nothing to send: the address is the same as the order's. Change at least one field.")
	}
	body := &omclient.UpdateCustomerDetailsRequest{ShippingAddress: &omclient.Address{
		GivenName: omclient.Text(typed["given_name"]), FamilyName: omclient.Text(typed["family_name"]),
		Title: omclient.Text(typed["title"]), StreetAddress: omclient.Text(typed["street_address"]),
		StreetAddress2: omclient.Text(typed["street_address2"]), PostalCode: omclient.Text(typed["postal_code"]),
		City: omclient.Text(typed["city"]), Region: omclient.Text(typed["region"]), Country: omclient.Text(typed["country"]),
		Email: omclient.Text(typed["email"]), Phone: omclient.Text(typed["phone"]),
		Attention: omclient.Text(typed["attention"]), OrganizationName: omclient.Text(typed["organization_name"]),
	}, Clear: clear}
	cf.validateBody(body)
	if !ok || f.HasErrors() {
		return render(http.StatusUnprocessableEntity)
	}
	ch.Body = body
	return h.submitChange(c, cf, ch, addressFlash, render)
}

// addressFlash names what changed: "Shipping address updated: city
// Berlin → Hamburg".
func addressFlash(res orders.Result) string {
	keys := make([]string, 0, len(view.AddressFields))
	labels := map[string]string{}
	for _, fd := range view.AddressFields {
		k := "shipping_address." + fd.Key
		keys = append(keys, k)
		labels[k] = strings.ToLower(fd.Label)
	}
	if d := form.DescribeChanges(res.Before, res.After, keys, labels); d != "" {
		return "Shipping address updated: " + d
	}
	return "Shipping address updated."
}

// currentAddress is the order's shipping address by field key.
func currentAddress(o *omclient.Order) map[string]string {
	a := o.ShippingAddress
	if a == nil {
		a = &omclient.Address{}
	}
	m := map[string]string{
		"given_name": string(a.GivenName), "family_name": string(a.FamilyName), "title": string(a.Title),
		"organization_name": string(a.OrganizationName), "attention": string(a.Attention),
		"street_address": string(a.StreetAddress), "street_address2": string(a.StreetAddress2),
		"postal_code": string(a.PostalCode), "city": string(a.City), "region": string(a.Region),
		"country": strings.ToUpper(string(a.Country)), "email": string(a.Email), "phone": string(a.Phone),
	}
	for k, v := range m {
		m[k] = strings.TrimSpace(v)
	}
	return m
}

func (h *Handlers) renderAddress(c echo.Context, status int, cf *changeForm) error {
	for _, fd := range view.AddressFields {
		cf.Form.Labels[fd.Name] = fd.Label
	}
	v := view.AddressForm{Form: cf.Form, Fields: view.AddressFields,
		PurchaseCountry: view.CountryName(strings.ToUpper(string(cf.Order.PurchaseCountry)))}
	return h.renderForm(c, status, v.Form, templates.AddressFormPanel(v))
}
