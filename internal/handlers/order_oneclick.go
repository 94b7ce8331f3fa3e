package handlers

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// One-click actions: extend authorization time, release remaining
// authorization, acknowledge (and, in their own files, cancel and
// trigger send-out). The action link opens a confirmation step saying what
// will happen (with the amounts before and after for money actions) and
// asking why; its submit sends the body-less call.

// oneClick describes one confirmation-step action.
type oneClick struct {
	op omclient.Operation
	// submit is the confirm button's label (default: the action's label).
	submit string
	// confirm fills the question, explanation and effect for cf's order.
	confirm func(h *Handlers, c echo.Context, cf *changeForm) view.ConfirmForm
	// flash says what happened, from the result's before/after values.
	flash func(h *Handlers, c echo.Context, cf *changeForm, res orders.Result) string
}

// oneClickForm shows (post false) or submits a one-click action.
func (h *Handlers) oneClickForm(c echo.Context, oc oneClick, post bool) error {
	cf, ok, err := h.openForm(c, oc.op)
	if !ok {
		return err
	}
	if oc.submit != "" {
		cf.Form.Submit = oc.submit
	}
	render := func(status int) error {
		v := oc.confirm(h, c, cf)
		v.Form = cf.Form
		v.Approval = h.approvalNote(c, cf.Order, orders.Change{Op: oc.op, OrderID: cf.Order.OrderID})
		return h.renderForm(c, status, v.Form, templates.ConfirmFormPanel(v))
	}
	if !post {
		return render(http.StatusOK)
	}
	ch, ok := cf.readCommon(c)
	if !ok {
		return render(http.StatusUnprocessableEntity)
	}
	flash := func(res orders.Result) string { return oc.flash(h, c, cf, res) }
	// Refunds and cancellations may need a second person;
	// holdOrSubmit sends every other action at once.
	return h.holdOrSubmit(c, cf, ch, flash, render)
}

var extendClick = oneClick{
	op:     omclient.OpExtendAuthorizationTime,
	submit: "Extend authorization time",
	confirm: func(h *Handlers, c echo.Context, cf *changeForm) view.ConfirmForm {
		o := cf.Order
		limit := "Klarna extends at most to 180 days after the purchase."
		if h.Provider != omclient.ProviderKlarna {
			limit = "Kustom extends by at most 90 days in total."
		}
		return view.ConfirmForm{
			Question: "Extend the authorization of " + orderTitle(o) + "?",
			Explain:  "The provider moves the expiry to " + itoaDays(orders.AuthorizationDays) + " from today, so the order can still be captured. " + limit,
			Effect: []view.ConfirmRow{{Key: "expires", Label: "Authorization expires",
				Before: h.showTime(c, o.ExpiresAt.Time), After: "about " + h.showTime(c, h.now().Add(orders.AuthorizationDays*24*time.Hour))}},
		}
	},
	flash: func(h *Handlers, c echo.Context, cf *changeForm, res orders.Result) string {
		before, after := parseRFC3339(res.Before["expires_at"]), parseRFC3339(res.After["expires_at"])
		if after.IsZero() || after.Equal(before) {
			return "Authorization extension sent; the expiry stays " + h.showTime(c, after) + "."
		}
		return "Authorization extended: expires " + h.showTime(c, after) + " (was " + h.showTime(c, before) + ")."
	},
}

var releaseClick = oneClick{
	op:     omclient.OpReleaseRemaining,
	submit: "Release the remaining authorization",
	confirm: func(h *Handlers, c echo.Context, cf *changeForm) view.ConfirmForm {
		o := cf.Order
		return view.ConfirmForm{
			Question: "Release the remaining authorization of " + h.orderMoney(c, o, o.RemainingAuthorizedAmount) + " on " + orderTitle(o) + "?",
			Explain:  "The customer is no longer charged for the part not captured, and nothing more can be captured. Refunds of what was captured stay possible. This cannot be undone.",
			Effect: []view.ConfirmRow{
				{Key: "remaining", Label: "Remaining authorized", Before: h.orderMoney(c, o, o.RemainingAuthorizedAmount), After: h.orderMoney(c, o, 0)},
				{Key: "status", Label: "Status", Before: view.StatusText(o.Status), After: view.StatusText(omclient.StatusCaptured)},
			},
		}
	},
	flash: func(h *Handlers, c echo.Context, cf *changeForm, res orders.Result) string {
		return "Remaining authorization released" + statusAmountChanges(res) + "."
	},
}

var acknowledgeClick = oneClick{
	op: omclient.OpAcknowledge,
	confirm: func(h *Handlers, c echo.Context, cf *changeForm) view.ConfirmForm {
		return view.ConfirmForm{
			Question: "Acknowledge " + orderTitle(cf.Order) + "?",
			Explain:  "Tells the provider the order has reached the shop's systems, which stops its reminders. It changes nothing else and may be repeated.",
		}
	},
	flash: func(h *Handlers, c echo.Context, cf *changeForm, res orders.Result) string {
		return orderTitle(cf.Order) + " acknowledged."
	},
}

func (h *Handlers) showExtendForm(c echo.Context) error { return h.oneClickForm(c, extendClick, false) }
func (h *Handlers) submitExtend(c echo.Context) error   { return h.oneClickForm(c, extendClick, true) }
func (h *Handlers) showReleaseForm(c echo.Context) error {
	return h.oneClickForm(c, releaseClick, false)
}
func (h *Handlers) submitRelease(c echo.Context) error { return h.oneClickForm(c, releaseClick, true) }
func (h *Handlers) showAcknowledgeForm(c echo.Context) error {
	return h.oneClickForm(c, acknowledgeClick, false)
}
func (h *Handlers) submitAcknowledge(c echo.Context) error {
	return h.oneClickForm(c, acknowledgeClick, true)
}
