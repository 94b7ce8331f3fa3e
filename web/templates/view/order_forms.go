package view

import (
	"strconv"

	"ordercare/internal/omclient"
)

// View models of the order-data forms (shipping address, merchant
// references, shipping info), the one-click confirmations (cancel, extend,
// release, acknowledge, send-out) and the due-date extension. Each embeds
// the shared Form.

// Address field names: the JSON paths of the request body.
const (
	AddrGivenName    = "shipping_address.given_name"
	AddrFamilyName   = "shipping_address.family_name"
	AddrTitle        = "shipping_address.title"
	AddrOrganization = "shipping_address.organization_name"
	AddrAttention    = "shipping_address.attention"
	AddrStreet       = "shipping_address.street_address"
	AddrStreet2      = "shipping_address.street_address2"
	AddrPostalCode   = "shipping_address.postal_code"
	AddrCity         = "shipping_address.city"
	AddrRegion       = "shipping_address.region"
	AddrCountry      = "shipping_address.country"
	AddrEmail        = "shipping_address.email"
	AddrPhone        = "shipping_address.phone"
)

// AddressField is one field of the address form with its rule.
type AddressField struct {
	Input
	// Key is the field's name inside the address ("city"), as the audit
	// log's before/after values name it.
	Key string
}

// AddressFields lists the shipping address fields in form order with their
// limits (the API reference's address schema). Required marks the fields a delivery needs,
// which the form never lets the agent clear; region is required only for
// US addresses (checked by the handler).
var AddressFields = []AddressField{
	{Input{Name: AddrTitle, Label: "Title", MaxLength: 20, Autocomplete: "shipping honorific-prefix"}, "title"},
	{Input{Name: AddrGivenName, Label: "Given name", Required: true, MaxLength: 100, Autocomplete: "shipping given-name"}, "given_name"},
	{Input{Name: AddrFamilyName, Label: "Family name", Required: true, MaxLength: 100, Autocomplete: "shipping family-name"}, "family_name"},
	{Input{Name: AddrOrganization, Label: "Organisation", MaxLength: 255, Autocomplete: "shipping organization"}, "organization_name"},
	{Input{Name: AddrAttention, Label: "Attention", MaxLength: 255, Hint: "Who receives it at the organisation."}, "attention"},
	{Input{Name: AddrStreet, Label: "Street address", Required: true, MaxLength: 100, Autocomplete: "shipping address-line1"}, "street_address"},
	{Input{Name: AddrStreet2, Label: "Street address 2", MaxLength: 100, Autocomplete: "shipping address-line2"}, "street_address2"},
	{Input{Name: AddrPostalCode, Label: "Postal code", Required: true, MaxLength: 10, Autocomplete: "shipping postal-code"}, "postal_code"},
	{Input{Name: AddrCity, Label: "City", Required: true, MaxLength: 200, Autocomplete: "shipping address-level2"}, "city"},
	{Input{Name: AddrRegion, Label: "Region", MaxLength: 200, Hint: "State or province; required for the United States.", Autocomplete: "shipping address-level1"}, "region"},
	{Input{Name: AddrCountry, Label: "Country", Type: "select", Required: true, Options: CountriesByName, Autocomplete: "shipping country"}, "country"},
	{Input{Name: AddrEmail, Label: "E-mail", Type: "email", MaxLength: 100, Autocomplete: "shipping email"}, "email"},
	{Input{Name: AddrPhone, Label: "Phone", Type: "tel", MaxLength: 100, Autocomplete: "shipping tel"}, "phone"},
}

// AddressForm is the shipping address form.
type AddressForm struct {
	Form
	Fields []AddressField
	// PurchaseCountry is where the order was bought; providers usually
	// refuse a shipping country that differs.
	PurchaseCountry string
}

// ReferencesForm is the merchant references form; the current values are
// shown so the agent sees what an empty field would clear.
type ReferencesForm struct {
	Form
	Current1, Current2 string
}

// Merchant reference field names.
const (
	FieldReference1 = "merchant_reference1"
	FieldReference2 = "merchant_reference2"
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

// ConfirmForm is a one-click action's confirmation step: what will happen,
// and for money actions the amounts before and after.
type ConfirmForm struct {
	Form
	// Question is the confirmation asked ("Cancel order K4MADNY of
	// 149,97 €?").
	Question string
	// Explain says what the action does and what it cannot undo.
	Explain string
	// Effect lists the values the action changes, before and after.
	Effect []ConfirmRow
	// Approval says why this action would wait for a second person's
	// approval ("" when it would be sent at once).
	Approval string
}

// ConfirmRow is one value before and after a one-click action.
type ConfirmRow struct {
	Key, Label, Before, After string
}

// DueDateForm is the extend-due-date form: the provider's options for the
// capture, one to choose.
type DueDateForm struct {
	Form
	CaptureRef string
	Options    []DueDateChoice
	// None says why no option is offered (already extended, fully
	// refunded); the form is not shown then.
	None string
}

// DueDateChoice is one offered extension.
type DueDateChoice struct {
	Days  int64
	Value string // the days as the radio value
	Label string // "14 days, fee 2,95 €"
}

// FieldDays is the due-date form's choice.
const FieldDays = "number_of_days"
