// Package shop finds a payment order's twin in the merchant's shop (the
// order in the commerce platform: order number, goods, fulfilment state,
// the shop's copy of the address) and says where the two disagree. The
// platforms' clients live in sub-packages (elasticpath); this package
// speaks of a Twin in the platform's neutral terms.
package shop

import (
	"context"
	"errors"
	"fmt"

	"ordercare/internal/omclient"
	ep "ordercare/internal/shop/elasticpath"
)

// Twin is the shop's order of a payment order.
type Twin struct {
	Platform    string // "Elastic Path"
	ID          string
	Number      string // the order number the customer quotes
	ExternalRef string
	// Status, Payment and Shipping are the platform's own words.
	Status, Payment, Shipping string
	Cancelled, Fulfilled      bool
	Currency                  string
	Total, Tax, Paid          int64 // minor units
	Lines                     []Line
	ShippingAddress, Billing  Address
	// FoundBy says how the twin was found ("order id in
	// merchant_reference2", "order number in merchant_reference1").
	FoundBy string
	// rawShipping is Elastic Path's shipping address as read, sent back
	// whole when only the order number changes.
	rawShipping *ep.Address
}

// Line is one item of the shop's order.
type Line struct {
	Name, SKU                  string
	Quantity, UnitPrice, Total int64
}

// Address is the shop's copy of an address.
type Address struct {
	Name, Company, Line1, Line2, Postcode, City, Region, Country, Phone string
}

// Source finds twins on one platform.
type Source interface {
	// Lookup finds the twin of a payment order. Errors: ErrNoReference,
	// *NotFoundError, or the platform's own (see Describe).
	Lookup(ctx context.Context, p *omclient.Order) (*Twin, error)
}

// ErrNoReference: the payment order names no shop order in the
// configured references.
var ErrNoReference = errors.New("shop: the payment order names no shop order")

// NotFoundError: the shop has no order under the references given.
type NotFoundError struct{ Tried []string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("shop: no shop order found (%v)", e.Tried)
}

// Links says which payment-order fields name the twin.
type Links struct {
	IDField, NumberField string // merchant_reference1, merchant_reference2 or none
}

// ref reads the named field of a payment order.
func ref(p *omclient.Order, field string) string {
	switch field {
	case "merchant_reference1":
		return string(p.MerchantReference1)
	case "merchant_reference2":
		return string(p.MerchantReference2)
	}
	return ""
}
