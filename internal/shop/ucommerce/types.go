// Package ucommerce is a client of Ucommerce's headless Orders API
// ("Next Gen" headless; public documentation: docs.ucommerce.net, "Orders"
// and "Headless API Authentication"): GET /api/v1/orders/{orderId} and
// GET /api/v1/payments/{paymentGuid}/order with a bearer access token from
// the OAuth 2 authorization-code flow. The documented API only reads
// orders, so this client only reads.
package ucommerce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Decimal is an amount or quantity as the platform sends it: a JSON number
// or a numeric string (the documentation's examples show placeholders in
// quotes). It is kept as text and converted to minor units on demand, so
// no float ever touches money.
type Decimal string

// UnmarshalJSON accepts a number, a numeric string or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*d = ""
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(strings.TrimSpace(s))
		if len(b) == 0 {
			*d = ""
			return nil
		}
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("not a decimal: %q", b)
	}
	*d = Decimal(n)
	return nil
}

// MarshalJSON writes the decimal as a JSON number (null when empty).
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return []byte(d), nil
}

// Minor converts the decimal to minor units of a currency with exp
// fraction digits; more digits than exp are refused, not rounded.
func (d Decimal) Minor(exp int) (int64, error) {
	s := string(d)
	if s == "" {
		return 0, nil
	}
	if strings.ContainsAny(s, "eE") {
		return 0, fmt.Errorf("amount %q in exponent form", s)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	ip, fp, _ := strings.Cut(s, ".")
	fp = strings.TrimRight(fp, "0")
	if len(fp) > exp {
		return 0, fmt.Errorf("amount %q has more than %d decimals", string(d), exp)
	}
	fp += strings.Repeat("0", exp-len(fp))
	var v int64
	for _, r := range ip + fp {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("amount %q is not a decimal", string(d))
		}
		if v > (1<<62)/10 {
			return 0, fmt.Errorf("amount %q is too large", string(d))
		}
		v = v*10 + int64(r-'0')
	}
	if neg {
		v = -v
	}
	return v, nil
}

// Order is the platform's order as both read paths answer it (the field
// list of the Orders documentation). Unknown fields are ignored.
type Order struct {
	ID                  string       `json:"id"`
	OrderNumber         string       `json:"orderNumber"`
	OrderStatus         *OrderStatus `json:"orderStatus"`
	CreatedDate         string       `json:"createdDate"`
	CompletedDate       string       `json:"completedDate"`
	CultureCode         string       `json:"cultureCode"`
	Discount            Decimal      `json:"discount"`
	DiscountTotal       Decimal      `json:"discountTotal"`
	Note                *string      `json:"note"`
	OrderTotal          Decimal      `json:"orderTotal"`
	PaymentTotal        Decimal      `json:"paymentTotal"`
	ShippingTotal       Decimal      `json:"shippingTotal"`
	SubTotal            Decimal      `json:"subTotal"`
	Tax                 Decimal      `json:"tax"`
	VAT                 Decimal      `json:"vat"`
	Store               *Store       `json:"store"`
	BillingAddress      *Address     `json:"billingAddress"`
	BillingCurrency     *Currency    `json:"billingCurrency"`
	Customer            *Customer    `json:"customer"`
	OrderLines          []OrderLine  `json:"orderLines"`
	Payments            []Payment    `json:"payments"`
	Shipments           []Shipment   `json:"shipments"`
	OrderAddresses      []Address    `json:"orderAddresses"`
	AdditionalAddresses []Address    `json:"additionalAddresses"`
}

// OrderStatus is the order's place in the store's order workflow; the
// payment-guid read nests the following statuses.
type OrderStatus struct {
	ID              string       `json:"id"`
	Name            string       `json:"name"`
	AllowOrderEdit  *bool        `json:"allowOrderEdit,omitempty"`
	AllowUpdate     *bool        `json:"allowUpdate,omitempty"`
	AlwaysAvailable *bool        `json:"alwaysAvailable,omitempty"`
	ExternalID      *string      `json:"externalId,omitempty"`
	NextOrderStatus *OrderStatus `json:"nextOrderStatus,omitempty"`
	Pipeline        *string      `json:"pipeline,omitempty"`
	RenderInMenu    *bool        `json:"renderInMenu,omitempty"`
	RenderChildren  *bool        `json:"renderChildren,omitempty"`
	Sort            *Decimal     `json:"sort,omitempty"`
}

// Store is the store the order was placed in.
type Store struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// Address is a billing, shipment or order address.
type Address struct {
	ID                string   `json:"id"`
	AddressName       string   `json:"addressName"`
	Attention         string   `json:"attention"`
	FirstName         string   `json:"firstName"`
	LastName          string   `json:"lastName"`
	CompanyName       string   `json:"companyName"`
	Line1             string   `json:"line1"`
	Line2             string   `json:"line2"`
	PostalCode        string   `json:"postalCode"`
	City              string   `json:"city"`
	State             string   `json:"state"`
	Country           *Country `json:"country"`
	EmailAddress      string   `json:"emailAddress"`
	PhoneNumber       string   `json:"phoneNumber"`
	MobilePhoneNumber string   `json:"mobilePhoneNumber"`
}

// Country is an address's country; Name is what the platform shows.
type Country struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	CultureCode string `json:"cultureCode,omitempty"`
}

// Currency is the order's billing currency.
type Currency struct {
	ID           string   `json:"id"`
	ISOCode      string   `json:"isoCode"`
	ExchangeRate *Decimal `json:"exchangeRate,omitempty"`
}

// Customer is who placed the order.
type Customer struct {
	ID           string `json:"id"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	EmailAddress string `json:"emailAddress"`
	PhoneNumber  string `json:"phoneNumber"`
}

// OrderLine is one line of the order or of a shipment.
type OrderLine struct {
	ID           string  `json:"id"`
	SKU          string  `json:"sku"`
	ProductName  string  `json:"productName"`
	Price        Decimal `json:"price"`
	Quantity     Decimal `json:"quantity"`
	Discount     Decimal `json:"discount"`
	Tax          Decimal `json:"tax"`
	Total        Decimal `json:"total"`
	TaxRate      Decimal `json:"taxRate"`
	VariantSKU   *string `json:"variantSku"`
	UnitDiscount Decimal `json:"unitDiscount"`
}

// Payment is one payment of the order; TransactionID holds the payment
// provider's id (the payment order's id for Klarna and Kustom).
type Payment struct {
	ID            string         `json:"id"`
	Amount        Decimal        `json:"amount"`
	Fee           Decimal        `json:"fee"`
	FeePercentage Decimal        `json:"feePercentage"`
	FeeTotal      Decimal        `json:"feeTotal"`
	GrossAmount   Decimal        `json:"grossAmount"`
	TransactionID string         `json:"transactionId"`
	Tax           Decimal        `json:"tax"`
	TaxRate       Decimal        `json:"taxRate"`
	PaymentMethod *PaymentMethod `json:"paymentMethod"`
}

// PaymentMethod names how the order was paid.
type PaymentMethod struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	DisplayName string  `json:"displayName"`
	FeePercent  Decimal `json:"feePercent"`
}

// Shipment is one shipment: where it goes and what it holds.
type Shipment struct {
	ID                 string          `json:"id"`
	ShipmentName       string          `json:"shipmentName"`
	ShipmentPrice      Decimal         `json:"shipmentPrice"`
	ShipmentPriceTotal Decimal         `json:"shipmentPriceTotal"`
	ShipmentDiscount   Decimal         `json:"shipmentDiscount"`
	Tax                Decimal         `json:"tax"`
	TaxRate            Decimal         `json:"taxRate"`
	TrackAndTrace      *string         `json:"trackAndTrace"`
	DeliveryNote       string          `json:"deliveryNote"`
	ShipmentAddress    *Address        `json:"shipmentAddress"`
	ShippingMethod     *ShippingMethod `json:"shippingMethod"`
	OrderLines         []OrderLine     `json:"orderLines"`
}

// ShippingMethod is a shipment's method.
type ShippingMethod struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// checkOrder refuses an answer that lacks what the panel relies on.
func checkOrder(o *Order) error {
	switch {
	case o == nil:
		return errors.New("no order")
	case o.ID == "":
		return errors.New("the order has no id")
	case o.OrderStatus == nil || o.OrderStatus.Name == "":
		return errors.New("the order has no orderStatus")
	case o.BillingCurrency == nil || o.BillingCurrency.ISOCode == "":
		return errors.New("the order has no billingCurrency")
	}
	return nil
}
