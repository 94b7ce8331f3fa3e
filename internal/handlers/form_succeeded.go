package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// changeSucceeded shows the refreshed order page with the confirmation:
// for htmx the page content replaces #order-page in place (and the URL
// becomes the order's); otherwise a 303 to the order page with a flash.
func (h *Handlers) changeSucceeded(c echo.Context, orderID string, fresh *omclient.Order, msg string) error {
	if !isHTMX(c) {
		h.flash(c, msg)
		return redirect(c, view.OrderPath(orderID))
	}
	if fresh == nil {
		// The pipeline's after-read failed; try once more, else let the
		// browser load the page.
		o, err := h.readOrder(c, orderID)
		if err != nil {
			h.flash(c, msg)
			return redirect(c, view.OrderPath(orderID))
		}
		fresh = o
	}
	now := h.now()
	v := view.FromOrder(fresh, h.Provider, orderChoices(fresh, h.Provider, now), now, agentZone(c), h.orderNumbers(c, fresh))
	v.Flash = msg
	v.Shop = h.shopPanel(c, fresh, nil, v.Actions)
	if h.shopChanger() != nil {
		// A shop half that just failed is offered at once.
		if as, err := h.Audit.OrderAttempts(c.Request().Context(), orderID); err == nil {
			v.Shop.Missing = h.shopMissing(c, orderID, as)
		}
	}
	hd := c.Response().Header()
	hd.Set(hxRetarget, "#order-page")
	hd.Set(hxReswap, "outerHTML")
	hd.Set(hxPushURL, view.OrderPath(orderID))
	return render(c, http.StatusOK, templates.OrderPage(v))
}
