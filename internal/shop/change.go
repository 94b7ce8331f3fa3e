package shop

import (
	"context"
	"errors"

	"ordercare/internal/audit"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/shopaction"
)

// Changes the back office makes to a twin (audit actions); the codes are
// shopaction's (see there), so the pages name them without this package.
const (
	ActionCancel        = shopaction.Cancel
	ActionFulfil        = shopaction.Fulfil
	ActionAddress       = shopaction.Address
	ActionReferences    = shopaction.References
	ActionCaptureFulfil = shopaction.CaptureFulfil
)

// Changer changes twins on one platform.
type Changer interface {
	// Prepare returns the body that will be sent for action on the twin
	// and the call that sends it, answering the values after the change.
	Prepare(action, shopOrderID string) (body []byte, send func(context.Context) (map[string]string, error), err error)
	// Build returns the body of action on twin t with the values of e
	// (the new address, the new order number), without sending it.
	Build(action string, t *Twin, e Edit) ([]byte, error)
	// Sender returns the call that sends a body Build wrote (or one kept
	// on record) to the shop's order; the same body again changes
	// nothing more.
	Sender(shopOrderID string, body []byte) (func(context.Context) (map[string]string, error), error)
	// Classify says what a send error means for the audit.
	Classify(err error) audit.Outcome
	// Platform names the platform in audit events.
	Platform() string
}

// ErrUnknownAction: the platform has no such change.
var ErrUnknownAction = errors.New("shop: unknown change")

// FulfilAction is the shop half that marks the twin fulfilled after the
// payment order is captured in full: fulfil alone when the shop already
// marks it paid, else report the capture first.
func (t *Twin) FulfilAction() string {
	if t.Payment == ep.PaymentPaid {
		return ActionFulfil
	}
	return ActionCaptureFulfil
}

// Allowed reports whether the twin's state lets action through, and why
// not (the platform's own rules: cancel only while not fulfilled, fulfil
// only a paid order).
func (t *Twin) Allowed(action string) (bool, string) {
	switch action {
	case ActionCancel:
		switch {
		case t.Cancelled:
			return false, "already cancelled in the shop"
		case t.Fulfilled:
			return false, "the shop has fulfilled it"
		}
		return true, ""
	case ActionFulfil:
		switch {
		case t.Fulfilled:
			return false, "already fulfilled in the shop"
		case t.Cancelled:
			return false, "cancelled in the shop"
		case t.Payment == ep.PaymentAuthorized:
			return false, "the shop marks only paid orders fulfilled (its order is authorized): once the payment order is captured in full, the shop is told of the capture and this marks it paid and fulfilled"
		case t.Payment != ep.PaymentPaid:
			return false, "the shop marks only paid orders fulfilled (its order is " + t.Payment + ")"
		}
		return true, ""
	case ActionCaptureFulfil:
		switch {
		case t.Fulfilled:
			return false, "already fulfilled in the shop"
		case t.Cancelled:
			return false, "cancelled in the shop"
		case t.Payment != ep.PaymentPaid && t.Payment != ep.PaymentAuthorized:
			return false, "the shop has no authorized payment to mark captured (its order is " + t.Payment + ")"
		}
		return true, ""
	case ActionAddress, ActionReferences:
		// The platform takes an order number only together with the
		// shipping address, which stops changing once fulfilled.
		if t.Fulfilled {
			return false, "the shop has fulfilled it, so its address and number no longer change"
		}
		return true, ""
	}
	return false, "unknown change"
}

// Prepare builds an Elastic Path cancel or fulfil (with the capture
// reported first, or not) and its call.
func (s *ElasticPath) Prepare(action, shopOrderID string) ([]byte, func(context.Context) (map[string]string, error), error) {
	if action != ActionCancel && action != ActionFulfil && action != ActionCaptureFulfil {
		return nil, nil, ErrUnknownAction
	}
	body, err := s.Build(action, nil, Edit{})
	if err != nil {
		return nil, nil, err
	}
	send, err := s.Sender(shopOrderID, body)
	return body, send, err
}

// Classify: a 4xx is a refusal (nothing applied), an unknown outcome
// stays unknown, anything else never reached the shop's rules.
func (s *ElasticPath) Classify(err error) audit.Outcome {
	var ve *ep.ValidationError
	switch {
	case errors.Is(err, ep.ErrOutcomeUnknown):
		return audit.OutcomeUnknown
	case ep.IsRefused(err), errors.As(err, &ve):
		return audit.OutcomeRefused
	}
	return audit.OutcomeFailed
}

// Platform is "elasticpath".
func (s *ElasticPath) Platform() string { return "elasticpath" }

// Before is the twin's values a change touches, for the audit trail.
func (t *Twin) Before() map[string]string {
	m := map[string]string{"shop.status": t.Status, "shop.payment": t.Payment, "shop.shipping": t.Shipping,
		"shop.order_number": t.Number, "shop.external_ref": t.ExternalRef}
	addressValues(m, t.ShippingAddress)
	return m
}

// addressValues adds the shipping address's fields to m under
// "shop.shipping_address.".
func addressValues(m map[string]string, a Address) {
	for k, v := range map[string]string{"name": a.Name, "line_1": a.Line1, "line_2": a.Line2, "postcode": a.Postcode,
		"city": a.City, "region": a.Region, "country": a.Country} {
		m["shop.shipping_address."+k] = v
	}
}
