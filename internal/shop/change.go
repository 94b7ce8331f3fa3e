package shop

import (
	"context"
	"errors"

	"ordercare/internal/audit"
	ep "ordercare/internal/shop/elasticpath"
)

// Changes the back office makes to a twin (audit actions).
const (
	ActionCancel = "shop_cancel"
	ActionFulfil = "shop_fulfil"
)

// Changer changes twins on one platform.
type Changer interface {
	// Prepare returns the body that will be sent for action on the twin
	// and the call that sends it, answering the values after the change.
	Prepare(action, shopOrderID string) (body []byte, send func(context.Context) (map[string]string, error), err error)
	// Classify says what a send error means for the audit.
	Classify(err error) audit.Outcome
	// Platform names the platform in audit events.
	Platform() string
}

// ErrUnknownAction: the platform has no such change.
var ErrUnknownAction = errors.New("shop: unknown change")

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
		case t.Payment != ep.PaymentPaid:
			return false, "the shop marks only paid orders fulfilled"
		}
		return true, ""
	}
	return false, "unknown change"
}

// Prepare builds an Elastic Path update (PUT /v2/orders/{id}).
func (s *ElasticPath) Prepare(action, shopOrderID string) ([]byte, func(context.Context) (map[string]string, error), error) {
	var u ep.Update
	switch action {
	case ActionCancel:
		u = ep.Cancel()
	case ActionFulfil:
		u = ep.Fulfil()
	default:
		return nil, nil, ErrUnknownAction
	}
	body, err := u.JSON()
	if err != nil {
		return nil, nil, err
	}
	send := func(ctx context.Context) (map[string]string, error) {
		o, err := s.Client.UpdateOrder(ctx, shopOrderID, u)
		if err != nil {
			return nil, err
		}
		return map[string]string{"shop.status": o.Status, "shop.payment": o.Payment, "shop.shipping": o.Shipping}, nil
	}
	return body, send, nil
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
	return map[string]string{"shop.status": t.Status, "shop.payment": t.Payment, "shop.shipping": t.Shipping}
}
