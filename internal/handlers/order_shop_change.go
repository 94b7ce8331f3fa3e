package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	"ordercare/web/templates/view"
)

// ShopChangeApplier sends a change to the shop's order through the one
// audited pipeline (orders.Service.ApplyShop).
type ShopChangeApplier interface {
	ApplyShop(ctx context.Context, actor audit.Actor, ch orders.ShopChange) (orders.ShopResult, error)
	// ApplyPair sends a payment change and then its shop half.
	ApplyPair(ctx context.Context, actor audit.Actor, ch orders.Change, half *orders.ShopHalf) (orders.PairResult, error)
	// ApplyMissingHalf sends again the shop half of an earlier change.
	ApplyMissingHalf(ctx context.Context, actor audit.Actor, orderID, pairID string) (orders.ShopResult, error)
}

// shopFormErrorKey carries a refused shop form's message to the order
// page, which shows it next to the field.
const shopFormErrorKey = "shop_form_error"

var shopActions = map[string]string{"cancel": shop.ActionCancel, "fulfil": shop.ActionFulfil}

var shopDone = map[string]string{shop.ActionCancel: "Cancelled in the shop.", shop.ActionFulfil: "Marked fulfilled in the shop.",
	shop.ActionAddress: "Shipping address changed in the shop.", shop.ActionReferences: "Order number changed in the shop.",
	shop.ActionCaptureFulfil: "Marked paid and fulfilled in the shop."}

// changeShop is POST /orders/:id/shop/{cancel,fulfil}: the agent's change
// to the shop's order, with a reason, audited under the payment order.
// The shop is read again first, so its rules are checked on its current
// state; the platform has the last word.
func (h *Handlers) changeShop(c echo.Context, kind string) error {
	id := c.Param("id")
	changer, ok := h.Shop.(shop.Changer)
	if h.Shop == nil || h.ShopChanges == nil || !ok || !omclient.ValidOrderID(id) {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	action := shopActions[kind]
	reason := c.FormValue(view.FieldReason)
	reasons := view.ShopReasons(action)
	i := slices.IndexFunc(reasons, func(o view.Option) bool { return o.Value == reason })
	if i < 0 {
		// Nothing sent: the page again, the message by the field.
		c.Set(shopFormErrorKey, shopFormError{action: action, msg: "Choose why you are making this change"})
		return h.showOrder(c)
	}
	o, err := h.readOrder(c, id)
	if err != nil {
		return h.shopFlash(c, id, "The payment order could not be read, so nothing was sent to the shop: "+err.Error())
	}
	twin, err := h.lookupTwin(c.Request().Context(), o)
	if err != nil {
		p := shop.Describe(err, h.shopName())
		return h.shopFlash(c, id, "Nothing was sent to the shop: "+p.Heading+". "+p.Detail)
	}
	if action == shop.ActionFulfil && capturedInFull(o) {
		action = twin.FulfilAction() // tell the shop of the capture first
	}
	if ok, why := twin.Allowed(action); !ok {
		return h.shopFlash(c, id, "Nothing was sent to the shop: "+why+".")
	}
	body, send, err := changer.Prepare(action, twin.ID)
	if err != nil {
		return err
	}
	res, err := h.ShopChanges.ApplyShop(c.Request().Context(), h.actor(c), orders.ShopChange{
		OrderID: o.OrderID, Platform: changer.Platform(), ShopOrderID: twin.ID, Action: action,
		Reason: reasons[i].Label, Request: body, Before: twin.Before(), Send: send, Classify: changer.Classify})
	if err != nil {
		if errors.Is(err, orders.ErrAudit) && res.AttemptID == "" {
			return h.shopFlash(c, id, "Nothing was sent to the shop: the audit log could not record the change.")
		}
		h.Log.Error("shop change not fully recorded", slog.String("order_id", o.OrderID), slog.String("action", action), slog.Any("err", err))
	}
	switch res.Outcome {
	case audit.OutcomeSucceeded:
		return h.shopFlash(c, id, shopDone[action])
	case audit.OutcomeRefused:
		return h.shopFlash(c, id, "The shop refused the change, nothing changed there: "+shopErrText(res.Err))
	case audit.OutcomeUnknown:
		return h.shopFlash(c, id, "The shop's answer was lost: the change may have been made. Look at the shop's panel, or send it again (it reads the shop's order first and sends only what is missing).")
	}
	return h.shopFlash(c, id, "The shop could not be reached, nothing changed there: "+shopErrText(res.Err))
}

// capturedInFull reports whether the payment order has something captured
// and nothing left to capture: the shop may then be told it is paid.
func capturedInFull(o *omclient.Order) bool {
	return o.CapturedAmount > 0 && o.RemainingAuthorizedAmount == 0
}

func shopErrText(err error) string {
	if err == nil {
		return ""
	}
	return shop.Describe(err, shopPlatformName).Detail
}

func (h *Handlers) shopFlash(c echo.Context, id, msg string) error {
	h.flash(c, msg)
	return redirect(c, view.OrderPath(id))
}

type shopFormError struct{ action, msg string }
