package handlers

import (
	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// Cancel (POST .../cancel): the confirmation names the order and its
// amount, and shows the authorization going to zero. The provider refuses
// a cancel once anything is captured (CANCEL_NOT_ALLOWED); orders.Actions
// already hides it then, and a refusal that still happens (a capture in
// another tab) is shown with the provider's message.

var cancelClick = oneClick{
	op:     omclient.OpCancel,
	submit: "Cancel the order",
	confirm: func(h *Handlers, c echo.Context, cf *changeForm) view.ConfirmForm {
		o := cf.Order
		return view.ConfirmForm{
			Question: "Cancel " + orderTitle(o) + " of " + h.orderMoney(c, o, o.OrderAmount) + "?",
			Explain:  "The whole authorization is released to the customer and the order can no longer be captured or changed. This cannot be undone.",
			Effect: []view.ConfirmRow{
				{Key: "status", Label: "Status", Before: view.StatusText(o.Status), After: view.StatusText(omclient.StatusCancelled)},
				{Key: "remaining", Label: "Remaining authorized", Before: h.orderMoney(c, o, o.RemainingAuthorizedAmount), After: h.orderMoney(c, o, 0)},
			},
		}
	},
	flash: func(h *Handlers, c echo.Context, cf *changeForm, res orders.Result) string {
		return orderTitle(cf.Order) + " cancelled" + statusAmountChanges(res) + "."
	},
}

func (h *Handlers) showCancelForm(c echo.Context) error { return h.oneClickForm(c, cancelClick, false) }
func (h *Handlers) submitCancel(c echo.Context) error   { return h.oneClickForm(c, cancelClick, true) }
