package shop

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ordercare/internal/omclient"
	ep "ordercare/internal/shop/elasticpath"
)

// ElasticPath finds twins in Elastic Path Commerce Cloud.
type ElasticPath struct {
	Client *ep.Client
	Links  Links
}

// Lookup tries the order id first; when the payment order holds none, or
// the shop does not know it, it searches the order number (several
// matches: the one whose external_ref is this payment order, else the
// newest).
func (s *ElasticPath) Lookup(ctx context.Context, p *omclient.Order) (*Twin, error) {
	var tried []string
	var o *ep.Order
	foundBy := ""
	if id := ref(p, s.Links.IDField); id != "" {
		got, err := s.Client.GetOrder(ctx, id)
		var ve *ep.ValidationError
		switch {
		case err == nil:
			o, foundBy = got, "order id in "+s.Links.IDField
		case ep.IsNotFound(err) || errors.As(err, &ve):
			tried = append(tried, fmt.Sprintf("order id %q from %s", id, s.Links.IDField))
		default:
			return nil, err
		}
	}
	if o == nil {
		number := ref(p, s.Links.NumberField)
		if number == "" {
			if len(tried) == 0 {
				return nil, ErrNoReference
			}
			return nil, &NotFoundError{Tried: tried}
		}
		found, err := s.Client.FindByNumber(ctx, number)
		if err != nil {
			return nil, err
		}
		tried = append(tried, fmt.Sprintf("order number %q from %s", number, s.Links.NumberField))
		if len(found) == 0 {
			return nil, &NotFoundError{Tried: tried}
		}
		o, foundBy = &found[0], "order number in "+s.Links.NumberField
		for i := range found {
			if found[i].ExternalRef == p.OrderID {
				o = &found[i]
				break
			}
		}
	}
	items, err := s.Client.GetItems(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	return epTwin(o, items, foundBy), nil
}

func epTwin(o *ep.Order, items []ep.Item, foundBy string) *Twin {
	t := &Twin{Platform: "Elastic Path", ID: o.ID, Number: o.OrderNumber, ExternalRef: o.ExternalRef,
		Status: o.Status, Payment: o.Payment, Shipping: o.Shipping,
		Cancelled: o.Status == ep.StatusCancelled, Fulfilled: o.Shipping == ep.ShippingFulfilled, FoundBy: foundBy}
	totals := o.Meta.Totals
	if o.Meta.DisplayPrice != nil {
		totals = *o.Meta.DisplayPrice
	}
	if p := totals.WithTax; p != nil {
		t.Total, t.Currency = int64(p.Amount), strings.ToUpper(p.Currency)
	}
	if p := totals.Tax; p != nil {
		t.Tax = int64(p.Amount)
	}
	if p := totals.Paid; p != nil {
		t.Paid = int64(p.Amount)
	}
	for _, it := range items {
		l := Line{Name: it.Name, SKU: it.SKU, Quantity: it.Quantity}
		if it.UnitPrice != nil {
			l.UnitPrice = int64(it.UnitPrice.Amount)
		}
		if it.Value != nil {
			l.Total = int64(it.Value.Amount)
		}
		t.Lines = append(t.Lines, l)
	}
	if a := o.ShippingAddress; a != nil {
		raw := *a
		t.rawShipping = &raw
		t.ShippingAddress = Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.CompanyName,
			Line1: a.Line1, Line2: a.Line2, Postcode: a.Postcode, City: a.City, Region: a.Region, Country: a.Country, Phone: a.PhoneNumber}
	}
	if a := o.BillingAddress; a != nil {
		t.Billing = Address{Name: strings.TrimSpace(a.FirstName + " " + a.LastName), Company: a.CompanyName,
			Line1: a.Line1, Line2: a.Line2, Postcode: a.Postcode, City: a.City, Region: a.Region, Country: a.Country}
	}
	return t
}

// NumberReference names the payment order's field that holds the shop's
// order number ("" when none does).
func (s *ElasticPath) NumberReference() string { return s.Links.NumberField }
