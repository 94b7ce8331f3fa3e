package app

import (
	"context"
	"log/slog"
	"time"

	"ordercare/internal/orders"
	"ordercare/internal/shop"
)

// The shop refresh keeps the index's snapshot of open orders' twins
// recent, so the start page's "out of step with the shop" list is right
// without anyone opening those orders: each pass reads the batch of open
// orders whose twin was read longest ago, the payment order and its twin,
// one at a time and paced, so neither the provider nor the shop sees a
// burst.
const (
	shopRefreshEvery = 10 * time.Minute
	shopRefreshBatch = 200
	shopRefreshPace  = 100 * time.Millisecond
	shopReadTimeout  = 10 * time.Second
)

// runShopRefresh refreshes at start and then every shopRefreshEvery until
// ctx ends.
func (a *App) runShopRefresh(ctx context.Context) {
	t := time.NewTicker(shopRefreshEvery)
	defer t.Stop()
	for {
		n := a.refreshShopBatch(ctx)
		if n > 0 {
			a.log.Info("shop snapshots refreshed", slog.Int("orders", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// refreshShopBatch reads one batch and returns how many twins it stored.
func (a *App) refreshShopBatch(ctx context.Context) int {
	ids, err := a.index.ShopStale(ctx, shopRefreshBatch)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("shop refresh: listing open orders failed", slog.Any("err", err))
		}
		return 0
	}
	n := 0
	for _, id := range ids {
		if ctx.Err() != nil {
			return n
		}
		ok, down := a.refreshShopOrder(ctx, id)
		if ok {
			n++
		}
		if down {
			return n // the shop is unavailable: the next pass tries again
		}
		select {
		case <-ctx.Done():
			return n
		case <-time.After(shopRefreshPace):
		}
	}
	return n
}

// refreshShopOrder reads one payment order and its twin and stores the
// snapshot; a failure is logged (without customer data) and the order
// tried again on a later pass. down: the shop itself is unavailable.
func (a *App) refreshShopOrder(ctx context.Context, id string) (ok, down bool) {
	rctx, cancel := context.WithTimeout(ctx, shopReadTimeout)
	defer cancel()
	o, err := a.service.GetOrder(rctx, id)
	if err != nil {
		a.log.Warn("shop refresh: reading the payment order failed", slog.String("order_id", id), slog.Any("err", err))
		return false, false
	}
	t, err := a.shop.Lookup(rctx, o)
	if err != nil {
		p := shop.Describe(err, "the shop")
		if p.Kind == "no-reference" || p.Kind == "not-found" {
			return false, false
		}
		a.log.Warn("shop refresh: reading the shop's order failed; trying again on the next pass", slog.String("order_id", id), slog.String("kind", p.Kind))
		return false, true
	}
	err = a.index.RecordShop(ctx, orders.ShopSnapshot{OrderID: id, ShopOrderID: t.ID, Number: t.Number, Cancelled: t.Cancelled,
		Fulfilled: t.Fulfilled, AddressDiffers: shop.AddressDiffers(o, t), PaymentOpen: orders.PaymentOpen(o), ReadAt: a.now()})
	if err != nil {
		a.log.Warn("shop refresh: storing the snapshot failed", slog.String("order_id", id), slog.Any("err", err))
		return false, false
	}
	return true, false
}
