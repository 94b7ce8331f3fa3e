package handlers

import (
	"context"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// defaultShopTimeout bounds the shop read when none is configured.
const defaultShopTimeout = 3 * time.Second

// shopRead is the twin read started before the payment order arrives.
type shopRead struct {
	ref1, ref2 string // the references it was looked up with
	done       chan struct{}
	twin       *shop.Twin
	err        error
}

// startShopRead looks the twin up with the references the order index
// holds for the order, while the provider answers: the shop's latency
// then hides behind the provider's. Nil when no shop is configured or the
// index does not know the order yet (showShop then reads after).
func (h *Handlers) startShopRead(ctx context.Context, id string) *shopRead {
	if h.Shop == nil || h.Index == nil {
		return nil
	}
	io, ok, err := h.Index.Get(ctx, id)
	if err != nil || !ok {
		return nil
	}
	r := &shopRead{ref1: io.MerchantReference1, ref2: io.MerchantReference2, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		r.twin, r.err = h.lookupTwin(ctx, &omclient.Order{OrderID: id,
			MerchantReference1: omclient.Text(r.ref1), MerchantReference2: omclient.Text(r.ref2)})
	}()
	return r
}

// lookupTwin reads the twin within the shop timeout.
func (h *Handlers) lookupTwin(ctx context.Context, o *omclient.Order) (*shop.Twin, error) {
	d := h.ShopTimeout
	if d <= 0 {
		d = defaultShopTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return h.Shop.Lookup(ctx, o)
}

// shopPanel finishes the shop read for the payment order o (reading again
// when its references changed since the index saw them) and builds the
// panel. A failing shop only ever fills the panel with what went wrong.
func (h *Handlers) shopPanel(c echo.Context, o *omclient.Order, r *shopRead, actions []view.ActionView) view.ShopPanel {
	if h.Shop == nil {
		return view.ShopPanel{}
	}
	twin, err := h.finishShopRead(c, o, r)
	h.recordTwin(c, o, twin)
	m := h.currentStaff(c)
	if m == nil || !m.Role.Allows(staff.RoleAgent, false) {
		// The auditor reads what to do but has no payment action to
		// click: each would answer "Not allowed".
		actions = nil
	}
	var p view.ShopPanel
	if err != nil {
		p = view.ShopProblemPanel(h.shopName(), view.ShopProblem(shop.Describe(err, h.shopName())))
	} else {
		p = view.FromShop(h.shopName(), shopTwinView(twin), shopMismatches(shop.Compare(o, twin, h.now())), actions, h.orderNumbers(c, o))
	}
	_, changes := h.Shop.(shop.Changer)
	if !changes {
		p.ReadOnly = true // the platform's API only reads: changes are made in its back office
	}
	if p.Problem != nil && p.Problem.Kind == "not-connected" && h.ShopConnect != nil && m != nil && m.Role == staff.RoleAdmin {
		p.ReconnectHref = "/shop/connect"
	}
	if err == nil && changes && h.ShopChanges != nil && m != nil && m.Role != staff.RoleAuditor {
		fe, _ := c.Get(shopFormErrorKey).(shopFormError)
		p.Changes, p.CSRF = view.ShopChangeForms(o.OrderID, shopChoices(twin, capturedInFull(o), fe)), csrfToken(c)
	}
	if p.Problem != nil && p.Problem.Kind != "no-reference" && p.Problem.Kind != "not-found" {
		h.Log.Warn("reading the shop's order failed", slog.String("order_id", o.OrderID), slog.String("kind", p.Problem.Kind),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	return p
}

// shopPlatformName is the platform of a shop source without a Name.
const shopPlatformName = "Elastic Path"

// recordTwin keeps the twin as read in the order index: its number for
// search, its disagreements for the start page's list. Best effort: the
// page never waits on a failure.
func (h *Handlers) recordTwin(c echo.Context, o *omclient.Order, t *shop.Twin) {
	if t == nil || h.Index == nil {
		return
	}
	err := h.Index.RecordShop(c.Request().Context(), orders.ShopSnapshot{OrderID: o.OrderID, ShopOrderID: t.ID, Number: t.Number,
		Cancelled: t.Cancelled, Fulfilled: t.Fulfilled, AddressDiffers: shop.AddressDiffers(o, t), PaymentOpen: orders.PaymentOpen(o), ReadAt: h.now()})
	if err != nil {
		h.Log.Warn("recording the shop's order in the index failed", slog.String("order_id", o.OrderID), slog.Any("err", err))
	}
}
