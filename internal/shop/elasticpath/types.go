// Package elasticpath is the client of Elastic Path Commerce Cloud's orders
// API, the shop side of a payment order: read an order, its items, find one
// by order number, and update it (order number and external reference,
// shipping address, cancel, fulfil). It follows the platform's public
// documents "Carts, Checkout, Orders" (https://elasticpath.dev/docs/carts-orders)
// and "Authentication" (https://elasticpath.dev/docs/authentication), and
// authenticates with client-credentials tokens fetched and cached by the
// client itself.
package elasticpath

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// Order statuses, payment and shipping states as the platform names them.
const (
	StatusIncomplete = "incomplete"
	StatusProcessing = "processing"
	StatusComplete   = "complete"
	StatusCancelled  = "cancelled"

	PaymentUnpaid     = "unpaid"
	PaymentAuthorized = "authorized"
	PaymentPaid       = "paid"
	PaymentRefunded   = "refunded"

	ShippingUnfulfilled = "unfulfilled"
	ShippingFulfilled   = "fulfilled"
)

// MaxExternalRef is the longest external_ref the platform accepts.
const MaxExternalRef = 64

// Minor is an amount in minor units of its currency. The document types
// amounts as numbers; the platform sends whole minor units, and a
// fraction is refused rather than money rounded.
type Minor int64

// UnmarshalJSON accepts a whole number written as 1234 or 1234.0.
func (m *Minor) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*m = 0
		return nil
	}
	n := json.Number(b)
	if v, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		*m = Minor(v)
		return nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != float64(int64(f)) {
		return fmt.Errorf("amount %s is not a whole number of minor units", b)
	}
	*m = Minor(int64(f))
	return nil
}

// Price is a FormattedPriceData (an order total).
type Price struct {
	Amount    Minor  `json:"amount"`
	Currency  string `json:"currency"`
	Formatted string `json:"formatted,omitempty"`
}

// Address is the platform's shipping address (every field is present in
// its answers, empty when unknown).
type Address struct {
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	PhoneNumber  string `json:"phone_number"`
	CompanyName  string `json:"company_name"`
	Line1        string `json:"line_1"`
	Line2        string `json:"line_2"`
	City         string `json:"city"`
	Postcode     string `json:"postcode"`
	County       string `json:"county"`
	Region       string `json:"region"`
	Country      string `json:"country"`
	Instructions string `json:"instructions"`
}

// BillingAddress is the platform's billing address (no phone, no
// instructions).
type BillingAddress struct {
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	CompanyName string `json:"company_name"`
	Line1       string `json:"line_1"`
	Line2       string `json:"line_2"`
	City        string `json:"city"`
	Postcode    string `json:"postcode"`
	County      string `json:"county"`
	Region      string `json:"region"`
	Country     string `json:"country"`
}

// Contact is who placed the order.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Timestamps of an order or item.
type Timestamps struct {
	CreatedAt string `json:"created_at,omitempty"`
	UpdatedAt string `json:"updated_at,omitempty"`
}

// OrderMeta holds the order's totals.
type OrderMeta struct {
	Timestamps Timestamps `json:"timestamps"`
	// DisplayPrice is where the platform puts the totals; the document's
	// OrderMeta schema lists them directly under meta, so both are read
	// (Totals picks the one present).
	DisplayPrice *Totals `json:"display_price,omitempty"`
	Totals
}

// Totals are an order's amounts.
type Totals struct {
	WithTax         *Price `json:"with_tax,omitempty"`
	WithoutTax      *Price `json:"without_tax,omitempty"`
	Tax             *Price `json:"tax,omitempty"`
	Discount        *Price `json:"discount,omitempty"`
	Paid            *Price `json:"paid,omitempty"`
	Authorized      *Price `json:"authorized,omitempty"`
	WithoutDiscount *Price `json:"without_discount,omitempty"`
}

// Order is an OrderResponse.
type Order struct {
	Type            string          `json:"type"`
	ID              string          `json:"id"`
	OrderNumber     string          `json:"order_number,omitempty"`
	ExternalRef     string          `json:"external_ref,omitempty"`
	Status          string          `json:"status"`
	Payment         string          `json:"payment"`
	Shipping        string          `json:"shipping"`
	Anonymized      bool            `json:"anonymized"`
	Meta            OrderMeta       `json:"meta"`
	BillingAddress  *BillingAddress `json:"billing_address,omitempty"`
	Contact         *Contact        `json:"contact,omitempty"`
	ShippingAddress *Address        `json:"shipping_address,omitempty"`
}

// Total is the order's amount including tax, from display_price when the
// platform sent it there, else from meta itself.
func (o *Order) Total() *Price {
	if o.Meta.DisplayPrice != nil && o.Meta.DisplayPrice.WithTax != nil {
		return o.Meta.DisplayPrice.WithTax
	}
	return o.Meta.WithTax
}

// Item is an OrderItemResponse.
type Item struct {
	Type      string  `json:"type"`
	ID        string  `json:"id"`
	Quantity  int64   `json:"quantity"`
	ProductID string  `json:"product_id,omitempty"`
	Name      string  `json:"name"`
	SKU       string  `json:"sku,omitempty"`
	UnitPrice *Amount `json:"unit_price,omitempty"`
	Value     *Amount `json:"value,omitempty"`
}

// Amount is an OrderPriceData (an item's unit price or value).
type Amount struct {
	Amount      Minor  `json:"amount"`
	Currency    string `json:"currency"`
	IncludesTax bool   `json:"includes_tax"`
}

// Update is one of the three bodies of PUT /v2/orders/{id} (the document's
// OrdersAddressData, OrdersCancelData, OrdersFulfilledData). Build it with
// UpdateReferences, UpdateAddress, Cancel or Fulfil.
type Update struct {
	kind            updateKind
	OrderNumber     string
	ExternalRef     string
	ShippingAddress Address
}

type updateKind int

const (
	updateAddress updateKind = iota + 1
	updateCancel
	updateFulfil
)

// UpdateReferences sets the order number and external reference. The
// platform takes them only together with the shipping address
// (OrdersAddressData requires it), so the current address goes along
// unchanged. An empty value removes the field.
func UpdateReferences(orderNumber, externalRef string, current Address) Update {
	return Update{kind: updateAddress, OrderNumber: orderNumber, ExternalRef: externalRef, ShippingAddress: current}
}

// UpdateAddress replaces the shipping address, keeping the references.
func UpdateAddress(o *Order, a Address) Update {
	return Update{kind: updateAddress, OrderNumber: o.OrderNumber, ExternalRef: o.ExternalRef, ShippingAddress: a}
}

// Cancel cancels the order (only while it is not fulfilled).
func Cancel() Update { return Update{kind: updateCancel} }

// Fulfil marks the order fulfilled (only when it is paid).
func Fulfil() Update { return Update{kind: updateFulfil} }

// body is the JSON the platform expects.
func (u Update) body() any {
	type addressData struct {
		Type            string  `json:"type"`
		OrderNumber     string  `json:"order_number"`
		ExternalRef     string  `json:"external_ref"`
		ShippingAddress Address `json:"shipping_address"`
	}
	type statusData struct {
		Type     string `json:"type"`
		Status   string `json:"status,omitempty"`
		Shipping string `json:"shipping,omitempty"`
	}
	var data any
	switch u.kind {
	case updateAddress:
		data = addressData{Type: "order", OrderNumber: u.OrderNumber, ExternalRef: u.ExternalRef, ShippingAddress: u.ShippingAddress}
	case updateCancel:
		data = statusData{Type: "order", Status: StatusCancelled}
	case updateFulfil:
		data = statusData{Type: "order", Shipping: ShippingFulfilled}
	}
	return struct {
		Data any `json:"data"`
	}{data}
}

// JSON is the request body exactly as UpdateOrder sends it (for the
// audit trail).
func (u Update) JSON() ([]byte, error) { return json.Marshal(u.body()) }

// AppliedTo reports whether order o already holds what u sets, so that
// sending u would change nothing: a change whose answer was lost is
// checked this way before it is sent again.
func (u Update) AppliedTo(o *Order) bool {
	switch u.kind {
	case updateCancel:
		return o.Status == StatusCancelled
	case updateFulfil:
		return o.Shipping == ShippingFulfilled
	case updateAddress:
		return o.ShippingAddress != nil && *o.ShippingAddress == u.ShippingAddress &&
			o.OrderNumber == u.OrderNumber && o.ExternalRef == u.ExternalRef
	}
	return false
}
