package omclient

import "encoding/json"

// Types for the schemas of the Order Management API (the API reference's schemas).
//
// Money is int64 minor units, tax rates are int basis points (2500 = 25 %).
// Strings that the provider's own samples sometimes send as JSON numbers
// (references, postal codes, tracking numbers: seed 002) use Text, which
// decodes both and always encodes as a string. Timestamps use Time, which
// decodes the formats seen in the wild and encodes RFC 3339.

// Order is the response of GET /orders/{order_id}.
type Order struct {
	OrderID                   string                  `json:"order_id"`
	Status                    Status                  `json:"status,omitempty"`
	FraudStatus               FraudStatus             `json:"fraud_status,omitempty"`
	OrderAmount               int64                   `json:"order_amount"`
	OriginalOrderAmount       int64                   `json:"original_order_amount"`
	CapturedAmount            int64                   `json:"captured_amount"`
	RefundedAmount            int64                   `json:"refunded_amount"`
	RemainingAuthorizedAmount int64                   `json:"remaining_authorized_amount"`
	PurchaseCurrency          Currency                `json:"purchase_currency,omitempty"`
	PurchaseCountry           Text                    `json:"purchase_country,omitempty"`
	Locale                    Text                    `json:"locale,omitempty"`
	OrderLines                []OrderLine             `json:"order_lines,omitempty"`
	MerchantReference1        Text                    `json:"merchant_reference1,omitempty"`
	MerchantReference2        Text                    `json:"merchant_reference2,omitempty"`
	MerchantData              Text                    `json:"merchant_data,omitempty"`
	KlarnaReference           Text                    `json:"klarna_reference,omitempty"`
	Customer                  *Customer               `json:"customer,omitempty"`
	BillingAddress            *Address                `json:"billing_address,omitempty"`
	ShippingAddress           *Address                `json:"shipping_address,omitempty"`
	CreatedAt                 Time                    `json:"created_at,omitzero"`
	ExpiresAt                 Time                    `json:"expires_at,omitzero"`
	Captures                  []Capture               `json:"captures,omitempty"`
	Refunds                   []Refund                `json:"refunds,omitempty"`
	ShippingInfo              []ShippingInfo          `json:"shipping_info,omitempty"`
	InitialPaymentMethod      *InitialPaymentMethod   `json:"initial_payment_method,omitempty"`
	SelectedShippingOption    *SelectedShippingOption `json:"selected_shipping_option,omitempty"`
}

// Status is the order status (Klarna's order statuses on docs.klarna.com).
type Status string

const (
	StatusAuthorized   Status = "AUTHORIZED"
	StatusPartCaptured Status = "PART_CAPTURED"
	StatusCaptured     Status = "CAPTURED"
	StatusCancelled    Status = "CANCELLED"
	StatusExpired      Status = "EXPIRED"
	StatusClosed       Status = "CLOSED"
)

// Statuses lists every order status in lifecycle order.
var Statuses = []Status{StatusAuthorized, StatusPartCaptured, StatusCaptured, StatusCancelled, StatusExpired, StatusClosed}

// FraudStatus is the fraud review axis, separate from Status.
type FraudStatus string

const (
	FraudAccepted FraudStatus = "ACCEPTED"
	FraudPending  FraudStatus = "PENDING"
	FraudRejected FraudStatus = "REJECTED"
)

// OrderLine is one line of an order, capture or refund (the order line schema).
type OrderLine struct {
	Type                Text                `json:"type,omitempty"`
	Reference           Text                `json:"reference,omitempty"`
	Name                Text                `json:"name"`
	Quantity            int64               `json:"quantity"`
	QuantityUnit        Text                `json:"quantity_unit,omitempty"`
	UnitPrice           int64               `json:"unit_price"`
	TaxRate             int64               `json:"tax_rate"`
	TotalAmount         int64               `json:"total_amount"`
	TotalDiscountAmount int64               `json:"total_discount_amount"`
	TotalTaxAmount      int64               `json:"total_tax_amount"`
	MerchantData        Text                `json:"merchant_data,omitempty"`
	ProductURL          Text                `json:"product_url,omitempty"`
	ImageURL            Text                `json:"image_url,omitempty"`
	ProductIdentifiers  *ProductIdentifiers `json:"product_identifiers,omitempty"`
	Subscription        *Subscription       `json:"subscription,omitempty"`
}

// Order line types, the exact list of the order line schema (the spec's pattern is unanchored).
const (
	LineTypePhysical    = "physical"
	LineTypeDiscount    = "discount"
	LineTypeShippingFee = "shipping_fee"
	LineTypeSalesTax    = "sales_tax"
	LineTypeStoreCredit = "store_credit"
	LineTypeGiftCard    = "gift_card"
	LineTypeDigital     = "digital"
	LineTypeSurcharge   = "surcharge"
	LineTypeReturnFee   = "return_fee"
)

// LineTypes is the exact list of allowed order line types.
var LineTypes = []string{LineTypePhysical, LineTypeDiscount, LineTypeShippingFee, LineTypeSalesTax,
	LineTypeStoreCredit, LineTypeGiftCard, LineTypeDigital, LineTypeSurcharge, LineTypeReturnFee}

// ProductIdentifiers of an order line.
type ProductIdentifiers struct {
	Brand                  Text `json:"brand,omitempty"`
	CategoryPath           Text `json:"category_path,omitempty"`
	GlobalTradeItemNumber  Text `json:"global_trade_item_number,omitempty"`
	ManufacturerPartNumber Text `json:"manufacturer_part_number,omitempty"`
	Color                  Text `json:"color,omitempty"`
	Size                   Text `json:"size,omitempty"`
}

// Subscription of an order line.
type Subscription struct {
	Name          Text   `json:"name"`
	Interval      string `json:"interval"`
	IntervalCount int64  `json:"interval_count"`
}

// Address is a billing or shipping address (the address schema).
type Address struct {
	GivenName        Text `json:"given_name,omitempty"`
	FamilyName       Text `json:"family_name,omitempty"`
	Title            Text `json:"title,omitempty"`
	StreetAddress    Text `json:"street_address,omitempty"`
	StreetAddress2   Text `json:"street_address2,omitempty"`
	PostalCode       Text `json:"postal_code,omitempty"`
	City             Text `json:"city,omitempty"`
	Region           Text `json:"region,omitempty"`
	Country          Text `json:"country,omitempty"`
	Email            Text `json:"email,omitempty"`
	Phone            Text `json:"phone,omitempty"`
	Attention        Text `json:"attention,omitempty"`
	OrganizationName Text `json:"organization_name,omitempty"`
}

// Customer of an order (the customer schema, with Kustom's additions on docs.kustom.co).
type Customer struct {
	DateOfBirth                  Text `json:"date_of_birth,omitempty"`
	NationalIdentificationNumber Text `json:"national_identification_number,omitempty"`
	VatID                        Text `json:"vat_id,omitempty"`
	Type                         Text `json:"type,omitempty"`
	OrganizationEntityType       Text `json:"organization_entity_type,omitempty"`
	OrganizationRegistrationID   Text `json:"organization_registration_id,omitempty"`
}

// Capture is a capture of an order (the capture schema).
type Capture struct {
	CaptureID       string         `json:"capture_id"`
	KlarnaReference Text           `json:"klarna_reference,omitempty"`
	CapturedAmount  int64          `json:"captured_amount"`
	CapturedAt      Time           `json:"captured_at,omitzero"`
	Description     Text           `json:"description,omitempty"`
	Reference       Text           `json:"reference,omitempty"`
	OrderLines      []OrderLine    `json:"order_lines,omitempty"`
	RefundedAmount  int64          `json:"refunded_amount"`
	BillingAddress  *Address       `json:"billing_address,omitempty"`
	ShippingAddress *Address       `json:"shipping_address,omitempty"`
	ShippingInfo    []ShippingInfo `json:"shipping_info,omitempty"`
}

// Refund is a refund of an order (the refund schema).
type Refund struct {
	RefundID       string      `json:"refund_id"`
	RefundedAmount int64       `json:"refunded_amount"`
	RefundedAt     Time        `json:"refunded_at,omitzero"`
	Description    Text        `json:"description,omitempty"`
	Reference      Text        `json:"reference,omitempty"`
	OrderLines     []OrderLine `json:"order_lines,omitempty"`
	CreditInvoice  bool        `json:"credit_invoice,omitempty"`
}

// ShippingInfo is one shipment's tracking data (the shipping info schema).
type ShippingInfo struct {
	ShippingCompany       Text `json:"shipping_company,omitempty"`
	ShippingMethod        Text `json:"shipping_method,omitempty"`
	TrackingNumber        Text `json:"tracking_number,omitempty"`
	TrackingURI           Text `json:"tracking_uri,omitempty"`
	ReturnShippingCompany Text `json:"return_shipping_company,omitempty"`
	ReturnTrackingNumber  Text `json:"return_tracking_number,omitempty"`
	ReturnTrackingURI     Text `json:"return_tracking_uri,omitempty"`
}

// ShippingMethods is the exact list of allowed shipping methods (the shipping info schema).
var ShippingMethods = []string{"PickUpStore", "Home", "BoxReg", "BoxUnreg", "PickUpPoint", "Own",
	"Postal", "DHLPackstation", "Digital", "Undefined", "PickUpWarehouse", "ClickCollect", "PalletDelivery"}

// InitialPaymentMethod is how the customer paid at purchase (the order schema).
type InitialPaymentMethod struct {
	Type                 Text  `json:"type,omitempty"`
	Description          Text  `json:"description,omitempty"`
	NumberOfInstallments int64 `json:"number_of_installments,omitempty"`
}

// SelectedShippingOption is the shipping option chosen at checkout (the order schema).
type SelectedShippingOption struct {
	ID             Text              `json:"id,omitempty"`
	Name           Text              `json:"name,omitempty"`
	Carrier        Text              `json:"carrier,omitempty"`
	CarrierProduct *CarrierProduct   `json:"carrier_product,omitempty"`
	Class          Text              `json:"class,omitempty"`
	Method         Text              `json:"method,omitempty"`
	Type           Text              `json:"type,omitempty"`
	Price          int64             `json:"price,omitempty"`
	TaxAmount      int64             `json:"tax_amount,omitempty"`
	TaxRate        int64             `json:"tax_rate,omitempty"`
	Location       *ShippingLocation `json:"location,omitempty"`
	Timeslot       *Timeslot         `json:"timeslot,omitempty"`
	SelectedAddons []Addon           `json:"selected_addons,omitempty"`
	TMSReference   Text              `json:"tms_reference,omitempty"`
}

// CarrierProduct of a selected shipping option.
type CarrierProduct struct {
	Identifier Text `json:"identifier,omitempty"`
	Name       Text `json:"name,omitempty"`
}

// ShippingLocation is a pick-up location of a selected shipping option.
type ShippingLocation struct {
	ID      Text             `json:"id,omitempty"`
	Name    Text             `json:"name,omitempty"`
	Price   int64            `json:"price,omitempty"`
	Address *LocationAddress `json:"address,omitempty"`
}

// LocationAddress is the pick-up location's address; note the provider's
// own spelling street_address__2.
type LocationAddress struct {
	StreetAddress  Text `json:"street_address,omitempty"`
	StreetAddress2 Text `json:"street_address__2,omitempty"`
	PostalCode     Text `json:"postal_code,omitempty"`
	City           Text `json:"city,omitempty"`
	Region         Text `json:"region,omitempty"`
	Country        Text `json:"country,omitempty"`
}

// Timeslot of a selected shipping option.
type Timeslot struct {
	ID     Text  `json:"id,omitempty"`
	Start  Text  `json:"start,omitempty"`
	End    Text  `json:"end,omitempty"`
	Cutoff Text  `json:"cutoff,omitempty"`
	Price  int64 `json:"price,omitempty"`
}

// Addon of a selected shipping option.
type Addon struct {
	Type       Text  `json:"type,omitempty"`
	Price      int64 `json:"price"`
	ExternalID Text  `json:"external_id,omitempty"`
	UserInput  Text  `json:"user_input,omitempty"`
}

// ExtendDueDateOptions is the answer of GET .../extend-due-date-options.
type ExtendDueDateOptions struct {
	Currency Currency        `json:"currency,omitempty"`
	Options  []DueDateOption `json:"options"`
}

// DueDateOption is one offered due-date extension and its fee.
type DueDateOption struct {
	Amount       int64 `json:"amount"`
	NumberOfDays int64 `json:"number_of_days"`
}

// Request bodies. Required fields carry no omitempty; the client is strict
// about what it sends (validate.go).

// UpdateAuthorizationRequest is the body of PATCH .../authorization.
type UpdateAuthorizationRequest struct {
	OrderAmount int64       `json:"order_amount"`
	Description string      `json:"description,omitempty"`
	OrderLines  []OrderLine `json:"order_lines,omitempty"`
}

// UpdateCustomerDetailsRequest is the body of PATCH .../customer-details.
type UpdateCustomerDetailsRequest struct {
	ShippingAddress *Address `json:"shipping_address,omitempty"`
	// Clear names shipping address fields (by their JSON names) to empty
	// at the provider. Address leaves empty fields out, which keeps them;
	// these are sent as "", which clears an optional field. Mandatory
	// fields (MandatoryAddressFields) cannot be cleared ("Fields can be
	// cleared with "" except mandatory ones", Klarna's Order Management
	// API reference, update customer details).
	Clear []string `json:"-"`
}

// MandatoryAddressFields are the shipping address fields a change may not
// clear: what a delivery needs and what the providers' risk checks refuse
// without. A United States address also needs its region.
var MandatoryAddressFields = []string{"given_name", "family_name", "street_address", "postal_code", "city", "country"}

// MarshalJSON writes the address with the cleared fields as "".
func (r UpdateCustomerDetailsRequest) MarshalJSON() ([]byte, error) {
	type plain UpdateCustomerDetailsRequest
	if len(r.Clear) == 0 || r.ShippingAddress == nil {
		return json.Marshal(plain(r))
	}
	raw, err := json.Marshal(r.ShippingAddress)
	if err != nil {
		return nil, err
	}
	fields := map[string]json.RawMessage{}
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, err
	}
	for _, name := range r.Clear {
		fields[name] = json.RawMessage(`""`)
	}
	return json.Marshal(map[string]any{"shipping_address": fields})
}

// UpdateMerchantReferencesRequest is the body of PATCH .../merchant-references.
// A nil field is not sent; a pointer to "" clears the reference.
type UpdateMerchantReferencesRequest struct {
	MerchantReference1 *string `json:"merchant_reference1,omitempty"`
	MerchantReference2 *string `json:"merchant_reference2,omitempty"`
}

// ShippingInfoRequest is the body of POST .../shipping-info (order or capture).
type ShippingInfoRequest struct {
	ShippingInfo []ShippingInfo `json:"shipping_info"`
}

// CaptureRequest is the body of POST .../captures.
type CaptureRequest struct {
	CapturedAmount int64          `json:"captured_amount"`
	Description    string         `json:"description,omitempty"`
	Reference      string         `json:"reference,omitempty"`
	OrderLines     []OrderLine    `json:"order_lines,omitempty"`
	ShippingInfo   []ShippingInfo `json:"shipping_info,omitempty"`
	ShippingDelay  int64          `json:"shipping_delay,omitempty"`
}

// RefundRequest is the body of POST .../refunds.
type RefundRequest struct {
	RefundedAmount int64       `json:"refunded_amount"`
	Description    string      `json:"description,omitempty"`
	Reference      string      `json:"reference,omitempty"`
	OrderLines     []OrderLine `json:"order_lines,omitempty"`
}

// ExtendDueDateRequest is the body of PATCH .../extend-due-date.
type ExtendDueDateRequest struct {
	NumberOfDays int64 `json:"number_of_days"`
}

// ErrorBody is the provider's error shape (the provider's error codes on docs.klarna.com).
type ErrorBody struct {
	ErrorCode      string   `json:"error_code"`
	ErrorMessages  []string `json:"error_messages,omitempty"`
	CorrelationID  string   `json:"correlation_id"`
	ServiceVersion string   `json:"service_version,omitempty"`
}
