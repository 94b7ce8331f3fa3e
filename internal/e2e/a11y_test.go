package e2e

import (
	"testing"

	"ordercare/internal/omclient"
)

// TestAccessibilityAxe runs axe-core on every main page, in the light and
// the dark colour scheme: no serious or critical violation is allowed.
func TestAccessibilityAxe(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	axeScript(t) // skip early (or fail under CI) when axe-core is unavailable
	order := srv.orderWithStatus(t, omclient.StatusPartCaptured, 2)

	p := b.newPage("admin")
	p.open("/login")
	p.visible("#login-email")
	p.checkAxe("the sign-in page")

	// The admin sees every page of the navigation.
	p.signIn(adminEmail)
	p.open("/")
	p.visible("main")
	p.checkAxe("the start page")

	p.open("/orders")
	p.visible(`[data-testid="results-table"]`)
	p.checkAxe("the search page")

	p.open("/orders/" + order.OrderID)
	p.visible(`[data-testid="order-page"]`)
	p.checkAxe("the order page")
}
