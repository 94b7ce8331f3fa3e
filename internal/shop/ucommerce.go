package shop

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	uc "ordercare/internal/shop/ucommerce"
)

// UcommerceName is the platform's name on the panel.
const UcommerceName = "Ucommerce"

// Ucommerce finds twins in Ucommerce's headless Orders API. The API only
// reads, so Ucommerce is not a Changer: the panel says changes are made in
// the shop's own back office.
type Ucommerce struct {
	Client *uc.Client
	Links  Links
}

// Name is the platform's name for the panel.
func (s *Ucommerce) Name() string { return UcommerceName }

// Lookup reads the order under the id reference, first as the shop's
// order id, then as a payment guid (some integrations store the
// payment's guid instead). The documented API cannot search order
// numbers, so the number reference is only named in the not-found note.
func (s *Ucommerce) Lookup(ctx context.Context, p *omclient.Order) (*Twin, error) {
	id := ref(p, s.Links.IDField)
	if id == "" {
		return nil, ErrNoReference
	}
	o, err := s.Client.GetOrder(ctx, id)
	foundBy := "order id in " + s.Links.IDField
	var ve *uc.ValidationError
	if uc.IsNotFound(err) {
		o, err = s.Client.GetOrderByPayment(ctx, id)
		foundBy = "payment guid in " + s.Links.IDField
	}
	switch {
	case uc.IsNotFound(err) || errors.As(err, &ve):
		tried := []string{fmt.Sprintf("order id or payment guid %q from %s", id, s.Links.IDField)}
		return nil, &NotFoundError{Tried: tried}
	case err != nil:
		return nil, err
	}
	return ucTwin(o, foundBy)
}

func ucTwin(o *uc.Order, foundBy string) (*Twin, error) {
	cur := strings.ToUpper(o.BillingCurrency.ISOCode)
	exp := money.Exponent(cur)
	var bad error
	m := func(d uc.Decimal) int64 {
		v, err := d.Minor(exp)
		if err != nil && bad == nil {
			bad = err
		}
		return v
	}
	t := &Twin{Platform: UcommerceName, ID: o.ID, Number: o.OrderNumber, Status: o.OrderStatus.Name,
		Currency: cur, Total: m(o.OrderTotal), Tax: m(o.Tax), Paid: m(o.PaymentTotal), FoundBy: foundBy}
	var refs []string
	for _, p := range o.Payments {
		if p.TransactionID != "" {
			refs = append(refs, p.TransactionID)
		}
	}
	t.ExternalRef = strings.Join(refs, ", ")
	t.Cancelled = strings.EqualFold(o.OrderStatus.Name, "Cancelled")
	// "Completed order" ends the platform's default workflow: the goods
	// have gone out.
	t.Fulfilled = strings.EqualFold(o.OrderStatus.Name, "Completed order")
	t.Payment = "not paid"
	if t.Paid > 0 && t.Paid >= t.Total {
		t.Payment = "paid"
	}
	t.Shipping = "not shipped"
	for _, sh := range o.Shipments {
		if sh.TrackAndTrace != nil && *sh.TrackAndTrace != "" {
			t.Shipping = "shipped (" + *sh.TrackAndTrace + ")"
		}
	}
	if t.Fulfilled && t.Shipping == "not shipped" {
		t.Shipping = "shipped"
	}
	for _, l := range o.OrderLines {
		q, err := l.Quantity.Minor(0)
		if err != nil && bad == nil {
			bad = err
		}
		t.Lines = append(t.Lines, Line{Name: l.ProductName, SKU: l.SKU, Quantity: q, UnitPrice: m(l.Price), Total: m(l.Total)})
	}
	for _, sh := range o.Shipments {
		if sh.ShipmentAddress != nil {
			t.ShippingAddress = ucAddress(sh.ShipmentAddress)
			break
		}
	}
	if o.BillingAddress != nil {
		t.Billing = ucAddress(o.BillingAddress)
	}
	if bad != nil {
		return nil, &uc.DecodeError{Method: "GET", Path: "/api/v1/orders/" + o.ID, Err: bad}
	}
	return t, nil
}

// ucAddress reads the country as its ISO region when the country's
// culture code has one (sv-SE → SE), else as the platform names it.
func ucAddress(a *uc.Address) Address {
	out := Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.CompanyName, Line1: a.Line1, Line2: a.Line2,
		Postcode: a.PostalCode, City: a.City, Region: a.State, Phone: a.PhoneNumber}
	if c := a.Country; c != nil {
		out.Country = c.Name
		if _, region, ok := strings.Cut(c.CultureCode, "-"); ok && region != "" {
			out.Country = strings.ToUpper(region)
		}
	}
	return out
}
