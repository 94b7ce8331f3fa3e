package handlers

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"ordercare/internal/handlers/form"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The common machinery of the order-change forms. A form
// handler is three steps:
//
//	cf, ok, err := h.openForm(c, omclient.OpCancel) // order read, action allowed?
//	if !ok { return err }
//	ch, ok := cf.readCommon(c)                     // key, expected, reason, ticket
//	... parse the form's own fields into ch.Body, cf.Form.AddError(...) ...
//	if !ok || cf.Form.HasErrors() { return render(422) }
//	return h.submitChange(c, cf, ch, flash, render)
//
// where render re-renders the form's own template from cf (values kept,
// messages at the fields) and flash says what changed on success.

// changeForm is one form being shown or processed: the order as read for
// it, the action it performs, and the shared view model.
type changeForm struct {
	Order   *omclient.Order
	Capture *omclient.Capture // per-capture forms only
	Action  orders.Action
	Form    view.Form
	// twin is the shop's order when the form offers to change it too
	// (order_shop_also.go).
	twin *shop.Twin
}

// formRenderer renders the form's own template for cf at status (the
// handler's closure over its own view model).
type formRenderer func(status int) error

// openForm reads the order (and capture) of the form's URL and checks that
// orders.Actions allows op. ok is false when a response has already been
// decided: err is then what the handler returns (an error page for a bad
// id or a provider failure, the form panel with the reason when the
// order's state does not allow the action; no API call is made).
func (h *Handlers) openForm(c echo.Context, op omclient.Operation) (cf *changeForm, ok bool, err error) {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return nil, false, publicError(http.StatusNotFound, "“"+id+"” is not an order id.")
	}
	sr := h.startShopAlso(c, op)
	o, err := h.readOrder(c, id)
	if err != nil {
		if sr != nil {
			<-sr.done
		}
		if c.Request().Context().Err() != nil {
			return nil, false, err
		}
		v := view.FromProviderError(omclient.FailureOf(err), id, h.Provider)
		return nil, false, respond(c, v.Status, h.page(c, v.Heading, view.NavOrders), templates.OrderError(v), templates.OrderError(v))
	}
	now := h.now()
	cf = &changeForm{Order: o}
	var actions []orders.Action
	if captureID := c.Param("capture_id"); captureID != "" {
		i := slices.IndexFunc(o.Captures, func(x omclient.Capture) bool { return x.CaptureID == captureID })
		if i < 0 {
			return nil, false, publicError(http.StatusNotFound, "The order has no capture "+captureID+".")
		}
		cf.Capture = &o.Captures[i]
		actions = orders.CaptureActions(o, cf.Capture, h.Provider, now)
	} else {
		actions = orders.Actions(o, h.Provider, now)
	}
	a, found := orders.FindAction(actions, op)
	if !found {
		return nil, false, publicError(http.StatusNotFound, view.ProviderName(h.Provider)+" does not offer “"+orders.ActionLabel(op)+"”.")
	}
	cf.Action = a
	cf.Form = h.newForm(c, o, a)
	h.offerShop(c, cf, sr)
	// A resubmit of a key already on record goes on to the pipeline even
	// when the order's state no longer offers the action: after an unknown
	// outcome the lost try may itself have made the action impossible
	// (cancelled, fully captured), and only the replay of that key can tell
	// the agent what happened. The provider dedups by key: nothing twice.
	if !a.Allowed && !(c.Request().Method == http.MethodPost && h.keyUsed(c, c.FormValue(view.FieldKey))) {
		cf.Form.Disallowed = a.Reason
		return nil, false, h.renderForm(c, http.StatusConflict, cf.Form, templates.FormPanel(cf.Form))
	}
	return cf, true, nil
}

// newForm is the shared view model of a freshly rendered form: a new
// idempotency key and the order's fingerprint.
func (h *Handlers) newForm(c echo.Context, o *omclient.Order, a orders.Action) view.Form {
	return view.Form{
		Action:     string(a.Op),
		Title:      a.Label,
		OrderID:    o.OrderID,
		CaptureID:  a.CaptureID,
		OrderTitle: orderTitle(o),
		OrderHref:  view.OrderPath(o.OrderID),
		Path:       view.ActionPath(o.OrderID, a.Op, a.CaptureID),
		Danger:     a.Op == omclient.OpCancel || a.Op == omclient.OpReleaseRemaining || a.Op == omclient.OpCreateRefund,
		Submit:     a.Label,
		CSRF:       csrfToken(c),
		Key:        form.NewKey(),
		Expected:   orders.EncodeFingerprint(orders.FingerprintOf(o)),
		Values:     map[string]string{},
		Labels:     map[string]string{},
	}
}

// orderTitle is how the forms name the order: "Order K4MADNY", else its id.
func orderTitle(o *omclient.Order) string {
	if ref := strings.TrimSpace(string(o.KlarnaReference)); ref != "" {
		return "Order " + ref
	}
	return "Order " + o.OrderID
}

// renderForm answers with a form: the panel alone for htmx (it replaces the
// order page's #order-form), else the form's own page.
func (h *Handlers) renderForm(c echo.Context, status int, f view.Form, panel templ.Component) error {
	p := h.page(c, f.Title+" · "+f.OrderTitle, view.NavOrders)
	return respond(c, status, p, templates.FormPage(f, panel), panel)
}

// withTimeout bounds a provider read made by a form (due-date options).
func (h *Handlers) withTimeout(c echo.Context) (context.Context, context.CancelFunc) {
	if h.OMTimeout > 0 {
		return context.WithTimeout(c.Request().Context(), h.OMTimeout)
	}
	return context.WithCancel(c.Request().Context())
}
