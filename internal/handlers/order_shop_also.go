package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	"ordercare/internal/shop/pair"
	"ordercare/internal/staff"
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

// shopHalfSaid is what the confirmation adds about the shop's half.
func shopHalfSaid(half *orders.ShopHalf, pr orders.PairResult) string {
	if half == nil {
		return ""
	}
	switch {
	case pr.Shop != nil && pr.Shop.Outcome == audit.OutcomeSucceeded:
		return " " + shopDone[half.Action]
	case pr.Shop != nil && pr.Shop.Outcome == audit.OutcomeUnknown:
		return " The shop's answer was lost, so its order may or may not have changed: the order page offers it again and says how to check (sent again, it sends only what the shop's order does not hold yet)."
	case pr.Shop != nil && pr.Shop.Outcome == audit.OutcomeRefused:
		return " The shop refused its half (" + shopErrText(pr.Shop.Err) + "): its order is unchanged; the order page offers it again."
	case pr.Shop != nil:
		return " The shop could not be reached (" + shopErrText(pr.Shop.Err) + "): its order is unchanged; the order page offers it again."
	}
	return " Nothing was sent to the shop (it could not be recorded first); the order page offers it again."
}

// shopMissing lists the order's payment changes whose shop half has not
// succeeded, from the attempts the order page has read anyway.
func (h *Handlers) shopMissing(c echo.Context, orderID string, attempts []audit.Attempt) []view.ShopMissing {
	if h.shopChanger() == nil {
		return nil
	}
	m := h.currentStaff(c)
	may := m != nil && m.Role.Allows(staff.RoleAgent, false)
	var out []view.ShopMissing
	for _, mh := range orders.MissingHalves(attempts) {
		what := "The payment order’s change (" + orders.ActionLabel(omclient.Operation(mh.Payment.Requested.Action)) + ") on " +
			h.showTime(c, mh.Payment.Requested.Time) + " was made, but not in the shop"
		why := "It was never sent to the shop."
		if l := mh.Last; l != nil {
			switch {
			case l.Completed == nil:
				why = "The shop's half is still being sent, or its outcome was not recorded."
			case l.Outcome() == audit.OutcomeUnknown:
				why = "The shop's answer was lost (" + l.Completed.Detail["error"] + "), so the change may or may not have been made. " +
					"To check: the shop's panel on this page is read fresh; if " + view.ShopCheckHints[mh.Half.Action] + ", it was made. " +
					"Sending it again reads the shop's order first and sends only what it does not hold yet, never the same change twice."
			default:
				why = "The shop answered: " + l.Completed.Detail["error"] + "."
			}
		}
		out = append(out, view.ShopMissing{PairID: mh.PairID, What: what, Why: why, Action: mh.Half.Action,
			Label: view.ShopMissingLabels[mh.Half.Action], Path: view.OrderPath(orderID) + "/shop/pair/" + mh.PairID,
			MayResend: may, CSRF: csrfToken(c)})
	}
	return out
}

// sendMissingHalf is POST /orders/:id/shop/pair/:pair: the shop's half of
// an earlier change sent again, exactly as recorded.
func (h *Handlers) sendMissingHalf(c echo.Context) error {
	id, pair := c.Param("id"), c.Param("pair")
	if h.shopChanger() == nil || !omclient.ValidOrderID(id) || !validKey(pair) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	res, err := h.ShopChanges.ApplyMissingHalf(c.Request().Context(), h.actor(c), id, pair)
	switch {
	case errors.Is(err, orders.ErrNoMissingHalf):
		return h.shopFlash(c, id, "Nothing to send: the shop's half of that change has already succeeded.")
	case err != nil && res.AttemptID == "":
		h.Log.Error("the shop's half not sent", slog.String("order_id", id), slog.Any("err", err))
		return h.shopFlash(c, id, "Nothing was sent to the shop: the change could not be recorded first. Try again in a moment.")
	case err != nil:
		h.Log.Error("shop change not fully recorded", slog.String("order_id", id), slog.Any("err", err))
	}
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		return h.shopFlash(c, id, "Done in the shop too.")
	case audit.OutcomeRefused:
		return h.shopFlash(c, id, "The shop refused the change, nothing changed there: "+shopErrText(res.Err))
	case audit.OutcomeUnknown:
		return h.shopFlash(c, id, "The shop's answer was lost again: the change may have been made. Look at the shop's panel; sent again, it sends only what the shop's order does not hold yet.")
	}
	return h.shopFlash(c, id, "The shop could not be reached, nothing changed there: "+shopErrText(res.Err))
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
