package shop

import (
	"bytes"
	"context"
	"encoding/json"
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
	case ActionCaptureFulfil:
		update, err := ep.Fulfil().JSON()
		if err != nil {
			return nil, err
		}
		return json.Marshal(captureThenUpdate{CaptureAuthorizations: true, Update: update})
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

// captureThenUpdate is the record of ActionCaptureFulfil, which is two
// calls: capture the order's open authorizations (POST
// /v2/orders/{id}/transactions/{tid}/capture), then the PUT in Update.
type captureThenUpdate struct {
	CaptureAuthorizations bool            `json:"capture_authorizations"`
	Update                json.RawMessage `json:"update"`
}

// parseBody reads a body Build wrote: an update alone, or one preceded by
// the capture of the open authorizations.
func parseBody(body []byte) (u ep.Update, captureFirst bool, err error) {
	var env captureThenUpdate
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if dec.Decode(&env) == nil && env.CaptureAuthorizations && len(env.Update) > 0 {
		u, err = ep.ParseUpdate(env.Update)
		return u, true, err
	}
	u, err = ep.ParseUpdate(body)
	return u, false, err
}

// Sender parses body back into an update (refusing anything Build would
// not write) and returns the call that sends it, answering the twin's
// values afterwards. The call reads the order first and sends only what
// it does not hold yet: after a lost answer the change may already be
// there, and a capture sent twice would be a second capture (the
// platform refuses it, and the order would wrongly show as failed).
func (s *ElasticPath) Sender(shopOrderID string, body []byte) (func(context.Context) (map[string]string, error), error) {
	u, captureFirst, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) (map[string]string, error) {
		cur, err := s.Client.GetOrder(ctx, shopOrderID)
		if err != nil {
			return nil, err
		}
		if u.AppliedTo(cur) {
			return epTwin(cur, nil, "").Before(), nil // already so: nothing sent
		}
		if captureFirst && cur.Payment == ep.PaymentAuthorized {
			if err := s.captureAuthorizations(ctx, shopOrderID); err != nil {
				return nil, err
			}
		}
		o, err := s.Client.UpdateOrder(ctx, shopOrderID, u)
		if err != nil {
			return nil, err
		}
		return epTwin(o, nil, "").Before(), nil
	}, nil
}

// captureAuthorizations captures each authorization of the order not
// captured yet, read just before, so none is captured twice.
func (s *ElasticPath) captureAuthorizations(ctx context.Context, shopOrderID string) error {
	txs, err := s.Client.Transactions(ctx, shopOrderID)
	if err != nil {
		return err
	}
	for _, t := range txs {
		if !t.Capturable() {
			continue
		}
		if _, err := s.Client.CaptureTransaction(ctx, shopOrderID, t.ID); err != nil {
			return err
		}
	}
	return nil
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
