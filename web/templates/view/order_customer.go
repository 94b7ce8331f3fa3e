package view

import (
	"strings"

	"ordercare/internal/omclient"
)

// AddressView is an address as lines of text.
type AddressView struct {
	Lines []string // name, organisation, attention, street, postal code + city, region, country
	Email string
	Phone string
}

// Empty reports whether the provider sent no address.
func (a AddressView) Empty() bool { return len(a.Lines) == 0 && a.Email == "" && a.Phone == "" }

func paymentCode(pm *omclient.InitialPaymentMethod) string {
	if pm == nil {
		return ""
	}
	return string(pm.Type)
}

// PaymentTypeText is the payment method's type in words, as the order
// page writes it ("Pay later in parts" for PAY_LATER_IN_PARTS), or
// "unknown".
func PaymentTypeText(pm *omclient.InitialPaymentMethod) string {
	if pm == nil || humanize(string(pm.Type)) == "" {
		return "unknown"
	}
	return humanize(string(pm.Type))
}

func paymentMethod(pm *omclient.InitialPaymentMethod) string {
	if pm == nil {
		return "–"
	}
	typ, desc := humanize(string(pm.Type)), strings.TrimSpace(string(pm.Description))
	if strings.EqualFold(typ, desc) {
		desc = "" // "Card · Card" says nothing twice
	}
	s := joinNonEmpty(" · ", typ, desc)
	if pm.NumberOfInstallments > 0 {
		s = joinNonEmpty(" · ", s, plural(int(pm.NumberOfInstallments), "instalment"))
	}
	return orDash(s)
}

func addressView(a *omclient.Address) AddressView {
	if a == nil {
		return AddressView{}
	}
	var v AddressView
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			v.Lines = append(v.Lines, s)
		}
	}
	add(joinNonEmpty(" ", string(a.Title), string(a.GivenName), string(a.FamilyName)))
	add(string(a.OrganizationName))
	if att := strings.TrimSpace(string(a.Attention)); att != "" {
		add("Attn: " + att)
	}
	add(string(a.StreetAddress))
	add(string(a.StreetAddress2))
	add(joinNonEmpty(" ", string(a.PostalCode), string(a.City)))
	add(string(a.Region))
	add(CountryName(strings.ToUpper(string(a.Country))))
	v.Email = strings.TrimSpace(string(a.Email))
	v.Phone = strings.TrimSpace(string(a.Phone))
	return v
}

func customerFields(c *omclient.Customer) []Field {
	if c == nil {
		return nil
	}
	var out []Field
	add := func(label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, Field{Label: label, Value: value})
		}
	}
	add("Type", humanize(string(c.Type)))
	add("Date of birth", string(c.DateOfBirth))
	if id := strings.TrimSpace(string(c.NationalIdentificationNumber)); id != "" {
		add("National identity number", maskID(id))
	}
	add("VAT id", string(c.VatID))
	add("Organisation type", humanize(string(c.OrganizationEntityType)))
	add("Organisation number", string(c.OrganizationRegistrationID))
	return out
}
