package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"sync"
	"time"

	"ordercare/internal/shop"
	uc "ordercare/internal/shop/ucommerce"
	"ordercare/internal/shop/ucommerce/ucsim"
)

// sandboxRedirect is the callback the built-in Ucommerce sandbox's
// automatic connection names (any URL would do: the code is exchanged in
// process, no browser follows it).
const sandboxRedirect = "http://127.0.0.1/shop/connect/callback"

// connectUcommerce builds the Ucommerce shop source: the refresh token
// store in admin.db (sealed with ORDERCARE_SHOP_TOKEN_KEY), the client,
// and in sandbox mode the built-in Ucommerce sandbox with the shop side
// of the demo orders, connected at once so the panel shows out of the box
// (against a real Ucommerce an admin connects at /shop/connect).
func (a *App) connectUcommerce(ctx context.Context) error {
	cfg := a.cfg.Shop
	key := cfg.TokenKey
	cc := uc.Config{BaseURL: cfg.URL, ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Logger: a.log,
		Timeout: cfg.Timeout, HTTPClient: &http.Client{Transport: ProviderTransport()}}
	var sb *ucsim.Sandbox
	if a.cfg.ShopSandbox() {
		if key == nil {
			// The sandbox forgets its tokens on restart anyway.
			key = make([]byte, 32)
			_, _ = rand.Read(key) // crypto/rand.Read never fails (Go 1.24+)
		}
		cc.ClientID, cc.ClientSecret = "ordercare-builtin-shop", randomSecret()
		var err error
		if sb, err = ucsim.New(ucsim.Options{ClientID: cc.ClientID, ClientSecret: cc.ClientSecret}); err != nil {
			return fmt.Errorf("built-in Ucommerce sandbox: %w", err)
		}
		orders, err := a.sandboxOrders(ctx)
		if err == nil {
			err = sb.Seed(orders)
		}
		if err == nil {
			cc.BaseURL, err = a.serveShopSandbox(sb)
		}
		if err != nil {
			return fmt.Errorf("built-in Ucommerce sandbox: %w", err)
		}
		a.ucSandbox = sb
	}
	if sb != nil && a.cfg.DatabaseURL != "" {
		// Each instance of a fleet runs a built-in sandbox of its own,
		// whose tokens only it knows: in the shared table one instance's
		// token would replace another's, sealed under a key the other
		// does not have. The sandbox forgets its tokens on restart anyway.
		cc.Store = &memTokens{}
	} else {
		store, err := uc.NewSQLStore(ctx, a.adminDB, key)
		if err != nil {
			return err
		}
		cc.Store = store
	}
	c, err := uc.New(cc)
	if err != nil {
		return fmt.Errorf("shop client: %w", err)
	}
	if sb != nil {
		code, err := sb.Connect(sandboxRedirect)
		if err == nil {
			err = c.Exchange(ctx, code, sandboxRedirect)
		}
		if err != nil {
			return fmt.Errorf("connecting the built-in Ucommerce sandbox: %w", err)
		}
	}
	a.shop = &shop.Ucommerce{Client: c, Links: shop.Links{IDField: cfg.IDReference, NumberField: cfg.NumberReference}}
	a.shopConnect = c
	return nil
}

// UcommerceSandbox is the built-in Ucommerce sandbox (nil unless sandbox
// mode with ORDERCARE_SHOP=ucommerce); tests use it to find the
// out-of-step demo orders and to inject faults.
func (a *App) UcommerceSandbox() *ucsim.Sandbox { return a.ucSandbox }

// memTokens keeps the built-in Ucommerce sandbox's refresh token in
// memory (uc.TokenStore), for an instance of a fleet.
type memTokens struct {
	mu      sync.Mutex
	token   string
	expires time.Time
}

func (m *memTokens) Load(context.Context) (string, time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.token == "" {
		return "", time.Time{}, uc.ErrNotConnected
	}
	return m.token, m.expires, nil
}

func (m *memTokens) Save(_ context.Context, token string, expires time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.token, m.expires = token, expires
	return nil
}

func (m *memTokens) Forget(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.token, m.expires = "", time.Time{}
	return nil
}
