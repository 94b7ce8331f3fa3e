package e2e

import (
	"context"
	"testing"
	"time"

	"ordercare/internal/config"
	"ordercare/internal/db"
	uc "ordercare/internal/shop/ucommerce"
	"ordercare/internal/shop/ucommerce/ucsim"
)

// withUcommerce turns on the built-in Ucommerce sandbox, connected at
// start-up, as `ORDERCARE_SHOP=ucommerce go run ./cmd/admin` does.
func withUcommerce(c *config.Config) {
	c.Shop = config.ShopConfig{Platform: config.ShopUcommerce, IDReference: config.RefMerchant2, NumberReference: config.RefMerchant1,
		Timeout: 10 * time.Second}
}

// Ucommerce: an order cancelled in the shop warns on the order page,
// whose shop panel only reads (the payment forms offer no shop change).
// When the stored authorization is lost, the panel says the shop must be
// reconnected and links admins to the connect page; connecting again
// (through the platform's OAuth connect and back) shows the shop's order
// once more.
func TestJourneyUcommerceReconnect(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withUcommerce)
	b := startBrowser(t, srv)
	sb := srv.App.UcommerceSandbox()
	id := sb.OutOfStep()[ucsim.Scenario("cancelled-still-authorized")]
	if id == "" {
		t.Fatal("the Ucommerce demo has no order cancelled in the shop")
	}

	admin := b.newPage("admin")
	admin.open("/orders/" + id)
	admin.signIn(adminEmail)
	admin.visible(`[data-testid="shop-warning"][data-kind="cancelled-authorized"]`)
	admin.visible(`[data-testid="shop-read-only"]`)
	if got := admin.text(`[data-testid="shop-status"]`); got == "" {
		t.Error("no shop status on the panel")
	}
	admin.openAction("cancel")
	if admin.exists(`#order-form [name="also_shop"]`) {
		t.Error("the cancel form offers a shop change on a platform that only reads")
	}

	// The refresh token is lost (as after restoring an old backup), and
	// the access token the client holds is revoked.
	forgetUcommerceToken(t, srv)
	sb.RevokeAccessTokens()
	admin.open("/orders/" + id)
	admin.visible(`[data-testid="shop-problem"][data-kind="not-connected"]`)
	admin.visible(`[data-testid="order-amounts"]`) // the payment order as usual
	admin.click(`[data-testid="shop-reconnect"]`)
	admin.visible(`[data-testid="shop-connect-status"][data-connected="false"]`)
	admin.click(`[data-testid="shop-connect-submit"]`)
	admin.visible(`[data-testid="shop-connect-status"][data-connected="true"]`)

	admin.open("/orders/" + id)
	admin.visible(`[data-testid="shop-status"]`)
	admin.visible(`[data-testid="shop-warning"][data-kind="cancelled-authorized"]`)
}

// forgetUcommerceToken deletes the stored refresh token from the back
// office's admin database.
func forgetUcommerceToken(t *testing.T, srv *server) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, srv.Config.DBPath, db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := uc.NewSQLStore(ctx, d, make([]byte, 32)) // deleting needs no key
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Forget(ctx); err != nil {
		t.Fatal(err)
	}
}
