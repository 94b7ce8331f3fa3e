package handlers

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	"ordercare/internal/shop/pair"
)

// shopHalfFor is the shop's half of ch when the agent left the box ticked
// and the change calls for one: the new address, the new order number,
// fulfilment once nothing is left to capture. Nil: the payment change
// alone.
func (h *Handlers) shopHalfFor(cf *changeForm, ch orders.Change) *orders.ShopHalf {
	if cf.twin == nil || cf.Form.Shop == nil || !cf.Form.Shop.Checked {
		return nil
	}
	action := shopAlsoActions[ch.Op]
	if action == shop.ActionFulfil {
		action = cf.twin.FulfilAction()
	}
	var e shop.Edit
	o := cf.Order
	switch ch.Op {
	case omclient.OpUpdateCustomerDetails:
		b := requestAs[omclient.UpdateCustomerDetailsRequest](ch.Body)
		if b == nil || b.ShippingAddress == nil {
			return nil
		}
		a := b.ShippingAddress
		e.Address = &shop.EditAddress{FirstName: string(a.GivenName), LastName: string(a.FamilyName), Company: string(a.OrganizationName),
			Phone: string(a.Phone), Line1: string(a.StreetAddress), Line2: string(a.StreetAddress2), Postcode: string(a.PostalCode),
			City: string(a.City), Region: string(a.Region), Country: string(a.Country)}
	case omclient.OpUpdateMerchantReferences:
		b := requestAs[omclient.UpdateMerchantReferencesRequest](ch.Body)
		if b == nil {
			return nil
		}
		n := b.MerchantReference1
		if h.numberReference() == "merchant_reference2" {
			n = b.MerchantReference2
		}
		if n == nil || *n == "" {
			return nil // the number untouched or cleared: the shop keeps its own
		}
		e.OrderNumber, e.ExternalRef = *n, cf.twin.ExternalRef
		if e.ExternalRef == "" {
			e.ExternalRef = o.OrderID
		}
	case omclient.OpCreateCapture:
		b := requestAs[omclient.CaptureRequest](ch.Body)
		if b == nil || b.CapturedAmount != orders.Capturable(o) {
			return nil // fulfilled only once everything is captured
		}
	case omclient.OpAddOrderShippingInfo, omclient.OpAddCaptureShippingInfo:
		if !capturedInFull(o) {
			return nil
		}
	}
	half, _, err := pair.Half(h.shopChanger(), cf.twin, action, e)
	if err != nil {
		h.Log.Warn("the shop's half could not be prepared", slog.String("order_id", o.OrderID), slog.String("action", action), slog.Any("err", err))
		return nil
	}
	return half
}

// applyChange sends ch, paired with its shop half when there is one.
func (h *Handlers) applyChange(c echo.Context, ch orders.Change, half *orders.ShopHalf) (orders.PairResult, error) {
	if half == nil {
		res, err := h.Orders.Apply(c.Request().Context(), h.actor(c), ch)
		return orders.PairResult{Result: res}, err
	}
	return h.ShopChanges.ApplyPair(c.Request().Context(), h.actor(c), ch, half)
}

// requestAs is the change's request as its type (a value or a pointer of
// it), or nil when it is another.
func requestAs[T any](r omclient.Request) *T {
	switch b := any(r).(type) {
	case *T:
		return b
	case T:
		return &b
	}
	return nil
}
