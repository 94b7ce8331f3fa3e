package shop

import (
	"context"
	"strings"

	ep "ordercare/internal/shop/elasticpath"
)

// Edit holds the values a change of the twin sets: the new shipping
// address (ActionAddress) or the new order number (ActionReferences).
type Edit struct {
	Address *EditAddress
	// OrderNumber is the new number; ExternalRef what external_ref holds
	// afterwards (the platform takes both together).
	OrderNumber, ExternalRef string
}

// EditAddress is a shipping address as the shop stores it.
type EditAddress struct {
	FirstName, LastName, Company, Phone           string
	Line1, Line2, Postcode, City, Region, Country string
}

// Build writes the body of an Elastic Path update. Address and number
// changes send the whole address data (the platform's OrdersAddressData):
// the new address with the twin's number and external_ref, or the new
// number with the twin's address as it stands, its delivery instructions
// and county kept.
func (s *ElasticPath) Build(action string, t *Twin, e Edit) ([]byte, error) {
	var u ep.Update
	switch action {
	case ActionCancel:
		u = ep.Cancel()
	case ActionFulfil:
		u = ep.Fulfil()
	case ActionAddress:
		if t == nil || e.Address == nil {
			return nil, ErrUnknownAction
		}
		a := t.epAddress()
		n := e.Address
		a.FirstName, a.LastName, a.CompanyName, a.PhoneNumber = n.FirstName, n.LastName, n.Company, n.Phone
		a.Line1, a.Line2, a.Postcode, a.City, a.Region, a.Country = n.Line1, n.Line2, n.Postcode, n.City, n.Region, strings.ToUpper(n.Country)
		u = ep.UpdateAddress(&ep.Order{OrderNumber: t.Number, ExternalRef: t.ExternalRef}, a)
	case ActionReferences:
		if t == nil {
			return nil, ErrUnknownAction
		}
		u = ep.UpdateReferences(e.OrderNumber, e.ExternalRef, t.epAddress())
	default:
		return nil, ErrUnknownAction
	}
	return u.JSON()
}

// Sender parses body back into an update (refusing anything Build would
// not write) and returns the PUT that sends it, answering the twin's
// values afterwards.
func (s *ElasticPath) Sender(shopOrderID string, body []byte) (func(context.Context) (map[string]string, error), error) {
	u, err := ep.ParseUpdate(body)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (map[string]string, error) {
		o, err := s.Client.UpdateOrder(ctx, shopOrderID, u)
		if err != nil {
			return nil, err
		}
		return epTwin(o, nil, "").Before(), nil
	}, nil
}

// epAddress is the twin's shipping address in the platform's shape, as
// read (so fields the panel does not show go back unchanged).
func (t *Twin) epAddress() ep.Address {
	if t.rawShipping != nil {
		return *t.rawShipping
	}
	a := t.ShippingAddress
	first, last, _ := strings.Cut(a.Name, " ")
	return ep.Address{FirstName: first, LastName: last, CompanyName: a.Company, PhoneNumber: a.Phone, Line1: a.Line1, Line2: a.Line2,
		Postcode: a.Postcode, City: a.City, Region: a.Region, Country: a.Country}
}
