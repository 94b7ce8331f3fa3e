package view

// View models of the order-data forms: the shipping address and the
// merchant references here, the shipping info in order_shipping_form.go,
// the one-click confirmations (cancel, extend, release, acknowledge,
// send-out) and the due-date extension in order_confirm_form.go. Each
// embeds the shared Form.

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
