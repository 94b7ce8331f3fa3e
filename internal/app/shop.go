package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"ordercare/internal/config"
	"ordercare/internal/omclient"
	"ordercare/internal/shop"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

// connectShop builds the shop source of the order page's shop panel: the
// configured platform, or in sandbox mode the built-in Elastic Path
// sandbox on a loopback port, filled with the shop side of the payment
// sandbox's orders (some out of step on purpose). Nil when the shop is off.
func (a *App) connectShop(ctx context.Context) error {
	cfg := a.cfg.Shop
	if a.cfg.ShopPlatform() == config.ShopUcommerce {
		return a.connectUcommerce(ctx)
	}
	if a.cfg.ShopPlatform() != config.ShopElasticPath {
		return nil
	}
	cc := ep.Config{BaseURL: cfg.URL, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Logger: a.log,
		Timeout: cfg.Timeout, HTTPClient: &http.Client{Transport: ProviderTransport()}}
	if a.cfg.ShopSandbox() {
		cc.ClientID, cc.ClientSecret = "ordercare-builtin-shop", randomSecret()
		sb, err := epsim.New(epsim.Options{ClientID: cc.ClientID, ClientSecret: cc.ClientSecret})
		if err != nil {
			return fmt.Errorf("built-in shop sandbox: %w", err)
		}
		orders, err := a.sandboxOrders(ctx)
		if err == nil {
			err = sb.Seed(orders)
		}
		if err != nil {
			return fmt.Errorf("built-in shop sandbox: %w", err)
		}
		a.shopSandbox = sb
		if cc.BaseURL, err = a.serveShopSandbox(sb); err != nil {
			return fmt.Errorf("built-in shop sandbox: %w", err)
		}
	}
	c, err := ep.New(cc)
	if err != nil {
		return fmt.Errorf("shop client: %w", err)
	}
	a.shop = &shop.ElasticPath{Client: c, Links: shop.Links{IDField: cfg.IDReference, NumberField: cfg.NumberReference}}
	return nil
}

// serveShopSandbox serves a built-in shop sandbox on a loopback port
// and returns its base URL.
func (a *App) serveShopSandbox(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	a.shopServer = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	go func() {
		if err := a.shopServer.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("built-in shop sandbox stopped", slog.Any("err", err))
		}
	}()
	return "http://" + ln.Addr().String(), nil
}

// sandboxOrders are the payment sandbox's orders as they stand now, for
// a shop sandbox to hold their shop side.
func (a *App) sandboxOrders(ctx context.Context) ([]omclient.Order, error) {
	ids, err := a.sandbox.OrderIDs(ctx)
	if err != nil {
		return nil, err
	}
	orders := make([]omclient.Order, 0, len(ids))
	for _, id := range ids {
		o, err := a.sandbox.Order(ctx, id)
		if err != nil {
			return nil, err
		}
		orders = append(orders, *o)
	}
	return orders, nil
}

// ShopSandbox is the built-in shop sandbox (nil unless sandbox mode with
// the shop on); tests use it to find the out-of-step demo orders and to
// inject faults.
func (a *App) ShopSandbox() *epsim.Sandbox { return a.shopSandbox }

func (a *App) closeShop() error {
	if a.shopServer == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return a.shopServer.Shutdown(ctx)
}
