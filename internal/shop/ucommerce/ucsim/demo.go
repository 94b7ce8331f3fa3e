package ucsim

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/shop/elasticpath/epsim"
	uc "ordercare/internal/shop/ucommerce"
)

// Scenario names an out-of-step demo order (the same cases as epsim).
type Scenario = epsim.Scenario

var paymentNamespace = uuid.MustParse("0b7d6a3e-94c1-4f0e-8d8c-5a1e2f9b7c64")

// paymentGUID is the id of the demo shop order's payment of a payment
// order (the platform's payment guid; its transactionId is the payment
// order's id).
func paymentGUID(paymentOrderID string) string {
	return uuid.NewSHA1(paymentNamespace, []byte(paymentOrderID)).String()
}

// OrderID is the id of the demo shop order of a payment order: its
// merchant_reference2, which shop integrations fill with the shop's order
// id, so the back office finds it with the default settings.
func OrderID(o omclient.Order) string { return string(o.MerchantReference2) }

// Seed adds the shop side of payment orders that carry both references,
// with the same out-of-step cases as the Elastic Path sandbox.
func (s *Sandbox) Seed(orders []omclient.Order) error {
	// Only orders naming their shop order (both references) have one.
	sorted := slices.DeleteFunc(slices.Clone(orders), func(o omclient.Order) bool {
		return o.MerchantReference1 == "" || o.MerchantReference2 == ""
	})
	slices.SortFunc(sorted, func(a, b omclient.Order) int { return cmp.Compare(a.OrderID, b.OrderID) })
	plan := epsim.PlanOutOfStep(sorted)
	for _, o := range sorted {
		if _, ok := s.Order(OrderID(o)); ok {
			continue
		}
		n, err := shopSide(o)
		if err != nil {
			return fmt.Errorf("ucsim: demo order for %s: %w", o.OrderID, err)
		}
		sc, out := plan[o.OrderID]
		switch sc {
		case epsim.CancelledStillAuthorized:
			n.OrderStatus = &uc.OrderStatus{ID: "7", Name: StatusCancelled}
		case epsim.FulfilledNotCaptured:
			n.OrderStatus = &uc.OrderStatus{ID: "3", Name: StatusCompleted}
			n.PaymentTotal = n.OrderTotal
		case epsim.TotalsDiffer:
			n.OrderTotal = addMinor(n.OrderTotal, 500, string(o.PurchaseCurrency)) // a fee the payment order never saw
		case epsim.AddressDiffers:
			if len(n.Shipments) > 0 && n.Shipments[0].ShipmentAddress != nil {
				a := *n.Shipments[0].ShipmentAddress
				a.Line1, a.Line2 = "Hamngatan 7", ""
				n.Shipments[0].ShipmentAddress = &a
			}
		}
		if _, err := s.Create(n); err != nil {
			return fmt.Errorf("ucsim: demo order for %s: %w", o.OrderID, err)
		}
		if out {
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

// shopSide is the Ucommerce order matching a payment order.
func shopSide(o omclient.Order) (uc.Order, error) {
	cur := string(o.PurchaseCurrency)
	d := func(v int64) uc.Decimal { return decimal(v, cur) }
	n := uc.Order{ID: OrderID(o), OrderNumber: string(o.MerchantReference1),
		OrderStatus: &uc.OrderStatus{ID: "2", Name: StatusNew}, CultureCode: string(o.Locale),
		CreatedDate:     o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
		BillingCurrency: &uc.Currency{ID: cur, ISOCode: cur},
		OrderTotal:      d(o.OrderAmount),
		Payments: []uc.Payment{{ID: paymentGUID(o.OrderID), Amount: d(o.OrderAmount), TransactionID: o.OrderID,
			PaymentMethod: &uc.PaymentMethod{ID: "1", Name: "Klarna", DisplayName: "Klarna"}}}}
	switch o.Status {
	case omclient.StatusCaptured, omclient.StatusClosed:
		n.OrderStatus = &uc.OrderStatus{ID: "3", Name: StatusCompleted}
		n.PaymentTotal = d(o.CapturedAmount)
	case omclient.StatusCancelled, omclient.StatusExpired:
		n.OrderStatus = &uc.OrderStatus{ID: "7", Name: StatusCancelled}
	}
	var sub, tax int64
	for _, l := range o.OrderLines {
		n.OrderLines = append(n.OrderLines, uc.OrderLine{ID: uuid.NewSHA1(paymentNamespace, []byte(o.OrderID+"/"+string(l.Reference)+"/"+string(l.Name))).String(),
			SKU: string(l.Reference), ProductName: string(l.Name), Price: d(l.UnitPrice), Quantity: uc.Decimal(strconv.FormatInt(l.Quantity, 10)),
			Discount: d(l.TotalDiscountAmount), Tax: d(l.TotalTaxAmount), Total: d(l.TotalAmount), TaxRate: decimal(l.TaxRate, "XXX")})
		sub, tax = sub+l.TotalAmount, tax+l.TotalTaxAmount
	}
	n.SubTotal, n.Tax, n.VAT = d(sub), d(tax), d(tax)
	if b := o.BillingAddress; b != nil {
		n.BillingAddress = address(b, string(o.Locale))
		n.Customer = &uc.Customer{ID: "c-" + o.OrderID[:8], FirstName: string(b.GivenName), LastName: string(b.FamilyName), EmailAddress: string(b.Email), PhoneNumber: string(b.Phone)}
	}
	if a := o.ShippingAddress; a != nil {
		n.Shipments = []uc.Shipment{{ID: "s-" + o.OrderID[:8], ShipmentName: "Standard", ShipmentAddress: address(a, string(o.Locale)),
			ShippingMethod: &uc.ShippingMethod{ID: "1", Name: "Standard"}, OrderLines: n.OrderLines}}
	}
	return n, nil
}

// address is the shop's copy of a payment address; the country's culture
// code carries the ISO region (sv-SE) the back office compares.
func address(a *omclient.Address, locale string) *uc.Address {
	country := strings.ToUpper(string(a.Country))
	culture := "en-" + country
	if _, region, ok := strings.Cut(locale, "-"); ok && strings.EqualFold(region, country) {
		culture = locale
	}
	return &uc.Address{FirstName: string(a.GivenName), LastName: string(a.FamilyName), CompanyName: string(a.OrganizationName),
		Line1: string(a.StreetAddress), Line2: string(a.StreetAddress2), PostalCode: string(a.PostalCode), City: string(a.City),
		State: string(a.Region), Country: &uc.Country{ID: country, Name: country, CultureCode: culture},
		EmailAddress: string(a.Email), PhoneNumber: string(a.Phone)}
}

// decimal writes minor units as the platform's decimal ("XXX": a tax rate
// in hundredths of a percent, as the payment API keeps it).
func decimal(v int64, currency string) uc.Decimal {
	exp := 2
	if currency != "XXX" {
		exp = money.Exponent(currency)
	}
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
	if exp > 0 {
		s = strings.Repeat("0", max(0, exp+1-len(s))) + s
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return uc.Decimal(s)
}

func addMinor(d uc.Decimal, v int64, currency string) uc.Decimal {
	m, _ := d.Minor(money.Exponent(currency))
	return decimal(m+v, currency)
}
