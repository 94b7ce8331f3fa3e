package handlers_test

import (
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/staff"
)

// The address form lists countries by name, in the order a reader looks
// for them, and sends the ISO code.
func TestAddressFormListsCountriesByName(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	form := ag.get("/orders/"+o.OrderID+"/address", nil)

	var labels, values []string
	form.doc.Find(`select[name="shipping_address.country"] option[value!=""]`).Each(func(_ int, s *goquery.Selection) {
		labels = append(labels, s.Text())
		v, _ := s.Attr("value")
		values = append(values, v)
	})
	if len(labels) < 249 {
		t.Fatalf("country list has %d options", len(labels))
	}
	at := func(label string) int {
		for i, l := range labels {
			if l == label {
				return i
			}
		}
		t.Fatalf("no %q in the country list", label)
		return -1
	}
	if labels[0] != "Afghanistan" || labels[len(labels)-1] != "Zimbabwe" {
		t.Errorf("country list runs from %q to %q, want Afghanistan to Zimbabwe", labels[0], labels[len(labels)-1])
	}
	if !(at("Germany") < at("Ghana") && at("Ghana") < at("Greece") && at("Åland Islands") < at("Albania") && at("Sweden") < at("Switzerland")) {
		t.Error("country list is not in the order of the names")
	}
	if values[at("Germany")] != "DE" || values[at("United Kingdom")] != "GB" {
		t.Errorf("Germany is sent as %q, United Kingdom as %q; want the ISO codes", values[at("Germany")], values[at("United Kingdom")])
	}
	if got := fieldValue(form, "shipping_address.country"); got != "DE" {
		t.Errorf("the order's country is selected as %q, want DE", got)
	}
}
