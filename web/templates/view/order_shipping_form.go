package view

import (
	"strconv"

	"ordercare/internal/omclient"
)

// Shipping info entry fields, as the JSON names inside one entry.
const (
	ShipCompany              = "shipping_company"
	ShipMethod               = "shipping_method"
	ShipTrackingNumber       = "tracking_number"
	ShipTrackingURI          = "tracking_uri"
	ShipReturnCompany        = "return_shipping_company"
	ShipReturnTrackingNumber = "return_tracking_number"
	ShipReturnTrackingURI    = "return_tracking_uri"
)

// Names of the shipping info form's control fields.
const (
	FieldEntries     = "entries"       // hidden: how many entry rows the form has
	FieldShipping    = "shipping_info" // the list as a whole (count errors)
	FieldAddEntry    = "add_entry"     // submit button: re-render with one more row
	FieldRemoveEntry = "remove_entry"  // submit button: re-render without row N
)

// ShipField names field key of entry i: "shipping_info[2].tracking_uri".
func ShipField(i int, key string) string {
	return FieldShipping + "[" + strconv.Itoa(i) + "]." + key
}

// ShippingInfoForm is the add-shipping-info form of the order or of one
// capture: one or more entry rows.
type ShippingInfoForm struct {
	Form
	Rows    int
	Methods []Option
	// Max is the most entries one submit may hold.
	Max int
	// Existing is how many entries the order (or capture) already has.
	Existing int
}

// ShippingMethodChoices are the provider's shipping methods for the
// method select: named in words, sent exactly as the API spells them
// ("" = not given).
func ShippingMethodChoices() []Option { return ShippingMethodOptions(omclient.ShippingMethods) }

// Row numbers of a ShippingInfoForm, for templates.
func (f ShippingInfoForm) RowIndexes() []int {
	out := make([]int, f.Rows)
	for i := range out {
		out[i] = i
	}
	return out
}
