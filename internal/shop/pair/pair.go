// Package pair joins the shop's platforms (package shop) to the change
// pipeline (package orders): it prepares the shop's half of a payment
// change and sends a half kept on record through the platform's Changer.
package pair

import (
	"context"
	"fmt"

	"ordercare/internal/audit"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
)

// Halves sends the shop's halves of paired changes (orders.ShopSender)
// through a platform's Changer.
type Halves struct{ Changer shop.Changer }

// SendHalf returns the call of a half kept on record: its body is sent as
// is, to the platform it was written for.
func (h Halves) SendHalf(half orders.ShopHalf) (func(context.Context) (map[string]string, error), func(error) audit.Outcome, error) {
	if half.Platform != h.Changer.Platform() {
		return nil, nil, fmt.Errorf("pair: a change for %s, but the shop is %s", half.Platform, h.Changer.Platform())
	}
	send, err := h.Changer.Sender(half.ShopOrderID, half.Request)
	if err != nil {
		return nil, nil, err
	}
	return send, h.Changer.Classify, nil
}

// Half prepares the shop half of a payment change on twin t: nil and why
// not when the twin's state does not allow it.
func Half(c shop.Changer, t *shop.Twin, action string, e shop.Edit) (*orders.ShopHalf, string, error) {
	if ok, why := t.Allowed(action); !ok {
		return nil, why, nil
	}
	body, err := c.Build(action, t, e)
	if err != nil {
		return nil, "", err
	}
	return &orders.ShopHalf{Platform: c.Platform(), ShopOrderID: t.ID, Action: action, Request: body, Before: t.Before()}, "", nil
}
