package handlers

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/shop"
	"ordercare/web/templates/view"
)

// "Also in the shop": the cancel, address, references, capture and
// shipping forms offer the same change to the shop's order, ticked by
// default when the twin's state allows it. The payment change goes first;
// the shop's half follows only once it has succeeded (orders.ApplyPair),
// and a half that fails is offered again on the order page.

// shopAlsoActions maps a payment form's operation to the shop change it
// offers.
var shopAlsoActions = map[omclient.Operation]string{
	omclient.OpCancel:                   shop.ActionCancel,
	omclient.OpUpdateCustomerDetails:    shop.ActionAddress,
	omclient.OpUpdateMerchantReferences: shop.ActionReferences,
	omclient.OpCreateCapture:            shop.ActionFulfil,
	omclient.OpAddOrderShippingInfo:     shop.ActionFulfil,
	omclient.OpAddCaptureShippingInfo:   shop.ActionFulfil,
}

// startShopAlso starts the twin's read for a form that may offer a shop
// change, beside the provider's read of the order.
func (h *Handlers) startShopAlso(c echo.Context, op omclient.Operation) *shopRead {
	if _, ok := shopAlsoActions[op]; !ok || h.shopChanger() == nil {
		return nil
	}
	return h.startShopRead(c.Request().Context(), c.Param("id"))
}

// shopChanger is the shop when it can change orders and the pipeline can
// send its halves; nil otherwise.
func (h *Handlers) shopChanger() shop.Changer {
	ch, ok := h.Shop.(shop.Changer)
	if !ok || h.ShopChanges == nil {
		return nil
	}
	return ch
}

// offerShop fills cf.Form.Shop: the box when the twin allows the change,
// a note when it does not or the shop cannot be read, nothing when no
// twin is linked. On a submit the box is as the agent left it.
func (h *Handlers) offerShop(c echo.Context, cf *changeForm, r *shopRead) {
	action, ok := shopAlsoActions[cf.Action.Op]
	if !ok || h.shopChanger() == nil {
		return
	}
	if action == shop.ActionReferences && h.numberReference() == "" {
		return // no reference holds the shop's order number
	}
	twin, err := h.finishShopRead(c, cf.Order, r)
	h.recordTwin(c, cf.Order, twin)
	if err != nil {
		p := shop.Describe(err, h.shopName())
		if p.Kind == "no-reference" || p.Kind == "not-found" {
			return
		}
		cf.Form.Shop = &view.ShopAlso{Unavailable: strings.ToLower(p.Heading[:1]) + p.Heading[1:]}
		return
	}
	if action == shop.ActionFulfil {
		action = twin.FulfilAction() // the capture reported first while the shop has it authorized
	}
	also := &view.ShopAlso{Label: view.ShopAlsoLabels[action], Detail: h.shopName() + " order " + twin.Number}
	if ok, why := twin.Allowed(action); !ok {
		also.Unavailable = why
	} else {
		cf.twin = twin
		also.Checked = true
		if c.Request().Method == http.MethodPost && c.FormValue(view.FieldAlsoShopShown) != "" {
			also.Checked = c.FormValue(view.FieldAlsoShop) == "on"
		}
	}
	cf.Form.Shop = also
}

// numberReference is the payment order's field holding the shop's order
// number, "" when none.
func (h *Handlers) numberReference() string {
	if n, ok := h.Shop.(interface{ NumberReference() string }); ok {
		return n.NumberReference()
	}
	return ""
}

// finishShopRead waits for a twin read started with the index's
// references, reading again when the order's references differ.
func (h *Handlers) finishShopRead(c echo.Context, o *omclient.Order, r *shopRead) (*shop.Twin, error) {
	if r != nil {
		<-r.done // bounded by the shop timeout
		if r.ref1 == string(o.MerchantReference1) && r.ref2 == string(o.MerchantReference2) {
			return r.twin, r.err
		}
	}
	return h.lookupTwin(c.Request().Context(), o)
}
