package epsim

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
	ep "ordercare/internal/shop/elasticpath"
)

// Scenario names a demo order that is deliberately out of step with its
// payment order.
type Scenario string

// The out-of-step demo cases.
const (
	// CancelledStillAuthorized: cancelled in the shop, the payment order
	// still authorized (money held for nothing).
	CancelledStillAuthorized Scenario = "cancelled-still-authorized"
	// FulfilledNotCaptured: shipped in the shop, nothing captured, and the
	// authorization expires soon.
	FulfilledNotCaptured Scenario = "fulfilled-not-captured"
	// TotalsDiffer: the shop's total is higher than the payment order's.
	TotalsDiffer Scenario = "totals-differ"
	// AddressDiffers: the shop ships to another street.
	AddressDiffers Scenario = "address-differs"
)

// shopNamespace makes a shop order's id from its payment order's id, so
// the same payment orders always give the same shop ids.
var shopNamespace = uuid.MustParse("6c1f3b0e-5d2a-4c4e-9f43-0e6a7d5b8c21")

// ShopID is the id of the demo shop order of a payment order.
func ShopID(paymentOrderID string) string {
	return uuid.NewSHA1(shopNamespace, []byte(paymentOrderID)).String()
}

// Seed adds the shop side of payment orders: for each one with
// merchant_reference1, an order with that order number, the payment
// order's id as external_ref, its lines, totals and addresses, and a
// status that matches the payment (authorized → processing, captured →
// fulfilled and paid, cancelled or expired → cancelled, closed →
// refunded). Four authorized orders are then put out of step, one per
// Scenario. Orders already present are left alone.
func (s *Sandbox) Seed(orders []omclient.Order) error {
	sorted := slices.Clone(orders)
	slices.SortFunc(sorted, func(a, b omclient.Order) int { return cmp.Compare(a.OrderID, b.OrderID) })
	plan := pickOutOfStep(sorted)
	for _, o := range sorted {
		if o.MerchantReference1 == "" {
			continue
		}
		id := ShopID(o.OrderID)
		if _, ok := s.Order(id); ok {
			continue
		}
		n := shopSide(o)
		switch plan[o.OrderID] {
		case CancelledStillAuthorized:
			n.Status = ep.StatusCancelled
		case FulfilledNotCaptured:
			n.Status, n.Payment, n.Shipping = ep.StatusComplete, ep.PaymentPaid, ep.ShippingFulfilled
		case TotalsDiffer:
			n.ExtraTotal += 500 // a fee the payment order never saw
		case AddressDiffers:
			if n.ShippingAddress != nil {
				a := *n.ShippingAddress
				a.Line1, a.Line2 = "Hamngatan 7", ""
				n.ShippingAddress = &a
			}
		}
		if _, err := s.create(id, n); err != nil {
			return fmt.Errorf("epsim: demo order for %s: %w", o.OrderID, err)
		}
		if sc, ok := plan[o.OrderID]; ok {
			s.mu.Lock()
			s.outOfStep[sc] = o.OrderID
			s.mu.Unlock()
		}
	}
	return nil
}

// OutOfStep returns the payment order id of each out-of-step demo order.
func (s *Sandbox) OutOfStep() map[Scenario]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Scenario]string, len(s.outOfStep))
	for k, v := range s.outOfStep {
		out[k] = v
	}
	return out
}

// pickOutOfStep chooses the out-of-step orders among the authorized ones:
// the one whose authorization expires first is "fulfilled but not
// captured" (its warning has a deadline to show), the next ones by id get
// the other cases.
func pickOutOfStep(sorted []omclient.Order) map[string]Scenario {
	var auth []omclient.Order
	for _, o := range sorted {
		if o.Status == omclient.StatusAuthorized && o.FraudStatus == omclient.FraudAccepted && o.MerchantReference1 != "" {
			auth = append(auth, o)
		}
	}
	plan := map[string]Scenario{}
	if len(auth) == 0 {
		return plan
	}
	soonest := slices.MinFunc(auth, func(a, b omclient.Order) int { return a.ExpiresAt.Compare(b.ExpiresAt.Time) })
	plan[soonest.OrderID] = FulfilledNotCaptured
	rest := []Scenario{CancelledStillAuthorized, TotalsDiffer, AddressDiffers}
	for _, o := range auth {
		if len(rest) == 0 {
			break
		}
		if _, taken := plan[o.OrderID]; !taken {
			plan[o.OrderID], rest = rest[0], rest[1:]
		}
	}
	return plan
}

// shopSide is the shop order matching a payment order.
func shopSide(o omclient.Order) NewOrder {
	n := NewOrder{OrderNumber: string(o.MerchantReference1), ExternalRef: o.OrderID, Currency: string(o.PurchaseCurrency),
		Status: ep.StatusProcessing, Payment: ep.PaymentAuthorized, Shipping: ep.ShippingUnfulfilled}
	switch o.Status {
	case omclient.StatusCaptured:
		n.Status, n.Payment, n.Shipping = ep.StatusComplete, ep.PaymentPaid, ep.ShippingFulfilled
	case omclient.StatusCancelled, omclient.StatusExpired:
		n.Status, n.Payment = ep.StatusCancelled, ep.PaymentUnpaid
	case omclient.StatusClosed:
		n.Status, n.Payment, n.Shipping = ep.StatusComplete, ep.PaymentRefunded, ep.ShippingFulfilled
	}
	for _, l := range o.OrderLines {
		n.Items = append(n.Items, NewItem{Name: string(l.Name), SKU: string(l.Reference), Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, Discount: l.TotalDiscountAmount, Tax: l.TotalTaxAmount})
	}
	// Lines may not add up to the order amount (an authorization reduced
	// without new lines): the shop's total is the order's.
	var sum int64
	for _, it := range n.Items {
		sum += it.Quantity*it.UnitPrice - it.Discount
	}
	n.ExtraTotal = o.OrderAmount - sum
	if b := o.BillingAddress; b != nil {
		n.Contact = &ep.Contact{Name: string(b.GivenName + " " + b.FamilyName), Email: string(b.Email)}
		n.BillingAddress = &ep.BillingAddress{FirstName: string(b.GivenName), LastName: string(b.FamilyName), CompanyName: string(b.OrganizationName),
			Line1: string(b.StreetAddress), Line2: string(b.StreetAddress2), City: string(b.City), Postcode: string(b.PostalCode),
			Region: string(b.Region), Country: string(b.Country)}
	}
	if a := o.ShippingAddress; a != nil {
		n.ShippingAddress = &ep.Address{FirstName: string(a.GivenName), LastName: string(a.FamilyName), PhoneNumber: string(a.Phone),
			CompanyName: string(a.OrganizationName), Line1: string(a.StreetAddress), Line2: string(a.StreetAddress2), City: string(a.City),
			Postcode: string(a.PostalCode), Region: string(a.Region), Country: string(a.Country)}
	}
	return n
}

// PlanOutOfStep says which of the payment orders (sorted by id) a shop
// sandbox puts out of step, and how; the Ucommerce sandbox uses the same
// plan so both platforms' demos show the same cases.
func PlanOutOfStep(sorted []omclient.Order) map[string]Scenario { return pickOutOfStep(sorted) }
