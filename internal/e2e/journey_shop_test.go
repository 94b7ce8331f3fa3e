package e2e

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/config"
	"ordercare/internal/omclient"
	"ordercare/internal/shop"
	"ordercare/internal/shop/elasticpath/epsim"
)

// withShop turns on the built-in Elastic Path sandbox, as `go run
// ./cmd/admin` does with the default settings.
func withShop(c *config.Config) {
	c.Shop = config.ShopConfig{IDReference: config.RefMerchant2, NumberReference: config.RefMerchant1, Timeout: 10 * time.Second}
}

// agentOnShopOrder starts the app with the shop sandbox and a browser,
// and opens the demo order of scenario sc as the agent.
func agentOnShopOrder(t *testing.T, sc epsim.Scenario) (*server, *epsim.Sandbox, *page, string) {
	t.Helper()
	srv := startServer(t, withShop)
	b := startBrowser(t, srv)
	sb := srv.App.ShopSandbox()
	id := sb.OutOfStep()[sc]
	agent := b.newPage("agent")
	agent.open("/orders/" + id)
	agent.signIn(agentEmail)
	return srv, sb, agent, id
}

// checkShopBoxTicked fails unless the open form's "also in the shop" box
// is ticked.
func checkShopBoxTicked(t *testing.T, p *page) {
	t.Helper()
	if !eval[bool](p, `document.querySelector('#order-form [name="also_shop"]').checked`) {
		t.Fatal("the shop box is not ticked by default")
	}
}

// checkPairSucceeded checks that the payment change op and its shop half
// each succeeded once, the shop's attempt linked to the payment's.
func checkPairSucceeded(t *testing.T, srv *server, id string, op omclient.Operation, shopAction string) {
	t.Helper()
	pay := checkOneSucceeded(t, srv, id, op)
	if half := checkOneSucceeded(t, srv, id, omclient.Operation(shopAction)); half.Requested.Detail["linked_attempt"] != pay.AttemptID {
		t.Errorf("the shop's %s is linked to %q, want the payment's %s", shopAction, half.Requested.Detail["linked_attempt"], pay.AttemptID)
	}
}

// An order cancelled in the shop but still authorized warns at the top of
// its page; the warning's Cancel opens the cancel form, and once the
// payment order is cancelled the warning is gone while the shop's panel
// stays.
func TestJourneyShopOutOfStepCancel(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withShop)
	b := startBrowser(t, srv)
	id := srv.App.ShopSandbox().OutOfStep()[epsim.CancelledStillAuthorized]
	if id == "" {
		t.Fatal("the demo has no order cancelled in the shop")
	}

	agent := b.newPage("agent")
	agent.open("/orders/" + id)
	agent.signIn(agentEmail)
	warning := agent.text(`[data-testid="shop-warning"][data-kind="cancelled-authorized"]`)
	if !strings.Contains(warning, "Cancelled in the shop") || !strings.Contains(warning, "still authorized") {
		t.Fatalf("warning %q", warning)
	}
	if got := agent.text(`[data-testid="shop-status"]`); got != "Cancelled" {
		t.Errorf("shop status %q, want Cancelled", got)
	}
	// The warning sits above the amounts: seen without scrolling past them.
	if !eval[bool](agent, `document.querySelector('[data-testid="shop-warnings"]').getBoundingClientRect().top < document.querySelector('[data-testid="order-amounts"]').getBoundingClientRect().top`) {
		t.Error("the warning is below the amounts")
	}

	agent.click(`[data-testid="shop-warning-action"]`)
	agent.visible(`#order-form [data-testid="form"][data-action="cancel"] [data-testid="change-form"]`)
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the cancel")
	agent.waitFor("the cancelled status badge", `document.querySelector('[data-testid="order-status"]').dataset.status === "CANCELLED"`)
	if got := srv.sandboxOrder(t, id).Status; got != omclient.StatusCancelled {
		t.Fatalf("payment order %s, want CANCELLED", got)
	}
	if n := agent.count(`[data-testid="shop-warnings"]`); n != 0 {
		t.Errorf("the warning is still shown after the cancel")
	}
	if n := agent.count(`[data-testid="order-shop"]`); n != 1 {
		t.Errorf("the shop's panel is gone after the cancel")
	}
	checkOneSucceeded(t, srv, id, omclient.OpCancel)
}

// The order page with the shop's panel, its forms and a warning has no
// serious accessibility problems.
func TestAccessibilityShopPanel(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withShop)
	b := startBrowser(t, srv)
	axeScript(t) // skip early (or fail under CI) when axe-core is unavailable
	id := srv.App.ShopSandbox().OutOfStep()[epsim.TotalsDiffer]
	p := b.newPage("agent")
	p.open("/orders/" + id)
	p.signIn(agentEmail)
	p.visible(`[data-testid="shop-warnings"]`)
	p.visible(`[data-testid="shop-change"]`)
	p.checkAxe("the order page with the shop's panel")
}

// Cancel in both systems: the payment order through its cancel form, then
// the shop's order from the shop's panel, each confirmed on the page.
func TestJourneyShopCancelInBoth(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withShop)
	b := startBrowser(t, srv)
	id := srv.App.ShopSandbox().OutOfStep()[epsim.AddressDiffers]

	agent := b.newPage("agent")
	agent.open("/orders/" + id)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="shop-warning"][data-kind="address"]`)
	agent.openAction("cancel")
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	// The form's own "also in the shop" box is unticked here, so the
	// shop's order is left to its panel.
	agent.click(`#order-form [name="also_shop"]`)
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFor("the cancelled status badge", `document.querySelector('[data-testid="order-status"]').dataset.status === "CANCELLED"`)
	if got, _ := srv.App.ShopSandbox().Order(epsim.ShopID(id)); got.Status == "cancelled" {
		t.Fatal("the shop's order was cancelled with the box unticked")
	}

	const form = `[data-testid="shop-change"][data-kind="cancel"]`
	agent.choose(form+` [name="reason"]`, "customer_request")
	agent.click(form + ` [data-testid="shop-change-submit"]`)
	agent.waitFor("the shop's cancelled status", `(document.querySelector('[data-testid="shop-status"]') || {}).innerText === "Cancelled"`)
	if flash := agent.text(`[data-testid="flash"]`); flash != "Cancelled in the shop." {
		t.Errorf("confirmation %q", flash)
	}
	if got, _ := srv.App.ShopSandbox().Order(epsim.ShopID(id)); got.Status != "cancelled" {
		t.Fatalf("shop sandbox status %s, want cancelled", got.Status)
	}
	if got := srv.sandboxOrder(t, id).Status; got != omclient.StatusCancelled {
		t.Fatalf("payment order %s, want CANCELLED", got)
	}
}

// Shipped in the shop but not captured: the warning names the days left
// and its Capture opens the capture form; capturing everything settles it.
func TestJourneyShopFulfilledNotCaptured(t *testing.T) {
	t.Parallel()
	srv := startServer(t, withShop)
	b := startBrowser(t, srv)
	id := srv.App.ShopSandbox().OutOfStep()[epsim.FulfilledNotCaptured]

	agent := b.newPage("agent")
	agent.open("/orders/" + id)
	agent.signIn(agentEmail)
	warning := agent.text(`[data-testid="shop-warning"][data-kind="fulfilled-not-captured"]`)
	if !strings.Contains(warning, "not captured") || !strings.Contains(warning, "expires in") {
		t.Fatalf("warning %q", warning)
	}
	agent.click(`[data-testid="shop-warning-action"]`)
	agent.visible(`#order-form [data-testid="form"][data-action="create_capture"] [data-testid="change-form"]`)
	// The capture form preselects nothing: the agent chooses everything
	// that is left, and the effect shows before the click.
	agent.click(`#order-form [name="mode"][value="full"]`)
	agent.choose(`#order-form [name="reason"]`, "shipped")
	agent.waitFor("the effect of capturing everything", `document.querySelector('#order-form [data-testid="money-preview"][data-ready="true"] [data-testid="effect-summary"]')`)
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the capture")
	agent.waitFor("the captured status badge", `document.querySelector('[data-testid="order-status"]').dataset.status === "CAPTURED"`)
	if n := agent.count(`[data-testid="shop-warnings"]`); n != 0 {
		t.Errorf("the warning is still shown after capturing everything")
	}
	checkOneSucceeded(t, srv, id, omclient.OpCreateCapture)
}

// Change the address in both systems with the shop down: the address
// form's shop box is ticked by default; the payment order's address
// changes, the confirmation says the shop's did not, and the page offers
// the missing half at once; once the shop is back one click changes the
// shop's address too.
func TestJourneyShopAddressInBothWithShopDown(t *testing.T) {
	t.Parallel()
	srv, sb, agent, id := agentOnShopOrder(t, epsim.TotalsDiffer)
	agent.visible(`[data-testid="order-shop"]`)
	agent.openAction("update_customer_details")
	checkShopBoxTicked(t, agent)
	agent.fill(`[name="shipping_address.city"]`, "Uppsala")
	agent.choose(`#order-form [name="reason"]`, "data_correction")
	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.Fault500}}})
	agent.click(`#order-form [data-testid="submit"]`)
	flash := agent.waitFlash("the confirmation of the address change")
	if !strings.Contains(flash, "Uppsala") || !strings.Contains(flash, "the order page offers it again") {
		t.Errorf("confirmation %q", flash)
	}
	if got := srv.sandboxOrder(t, id).ShippingAddress; got == nil || string(got.City) != "Uppsala" {
		t.Fatalf("payment address %+v", got)
	}
	agent.visible(`[data-testid="shop-missing-half"][data-action="shop_address"]`)

	sb.SetFaults(epsim.Faults{})
	agent.click(`[data-testid="shop-missing-send"]`)
	agent.waitFor("the shop's confirmation", `(document.querySelector('[data-testid="flash"]') || {}).innerText === "Done in the shop too."`)
	if agent.count(`[data-testid="shop-missing"]`) != 0 {
		t.Error("the missing half is still offered")
	}
	if o, _ := sb.Order(epsim.ShopID(id)); o.ShippingAddress == nil || o.ShippingAddress.City != "Uppsala" {
		t.Errorf("shop address %+v", o.ShippingAddress)
	}
	if n := agent.count(`[data-testid="shop-warning"][data-kind="address"]`); n != 0 {
		t.Error("the addresses still differ")
	}
}

// Capture fully and mark fulfilled: the capture form's shop box (ticked
// by default) marks the shop's order paid and fulfilled as the capture
// leaves nothing to capture; the confirmation says so, the shop's panel
// shows it, and the History lists both attempts, the payment's and the
// shop's.
func TestJourneyShopCaptureFullyAndFulfil(t *testing.T) {
	t.Parallel()
	srv, sb, agent, id := agentOnShopOrder(t, epsim.AddressDiffers)
	if got := agent.text(`[data-testid="shop-payment"]`); got != "Authorized" {
		t.Fatalf("shop payment %q, want Authorized", got)
	}
	agent.openAction("create_capture")
	checkShopBoxTicked(t, agent)
	agent.click(`#order-form [name="mode"][value="full"]`)
	agent.choose(`#order-form [name="reason"]`, "shipped")
	agent.waitFor("the effect of capturing everything", `document.querySelector('#order-form [data-testid="money-preview"][data-ready="true"] [data-testid="effect-summary"]')`)
	agent.click(`#order-form [data-testid="submit"]`)
	flash := agent.waitFlash("the confirmation of the capture")
	if !strings.Contains(flash, "Marked paid and fulfilled in the shop.") {
		t.Errorf("confirmation %q", flash)
	}
	agent.waitFor("the captured status badge", `document.querySelector('[data-testid="order-status"]').dataset.status === "CAPTURED"`)
	agent.waitFor("the shop's fulfilled state", `(document.querySelector('[data-testid="shop-shipping"]') || {}).innerText === "Fulfilled"`)
	if got := agent.text(`[data-testid="shop-payment"]`); got != "Paid" {
		t.Errorf("shop payment %q, want Paid", got)
	}
	agent.waitFor("both attempts in the History", `(() => {
		const items = [...document.querySelectorAll('[data-testid="history-item"][data-source="ordercare"]')].map(e => e.innerText);
		return items.some(t => /capture/i.test(t) && !/shop/i.test(t)) && items.some(t => /shop/i.test(t) && /fulfil/i.test(t));
	})()`)
	if o, _ := sb.Order(epsim.ShopID(id)); o.Payment != "paid" || o.Shipping != "fulfilled" {
		t.Errorf("shop sandbox %s / %s, want paid and fulfilled", o.Payment, o.Shipping)
	}
	checkPairSucceeded(t, srv, id, omclient.OpCreateCapture, shop.ActionCaptureFulfil)
}

// Cancel in both systems with one form: on an order whose totals differ
// from the shop's, the warning shows, the cancel form's shop box is ticked
// by default, and one submit cancels the payment order and then the
// shop's, each its own attempt, the shop's linked to the payment's.
func TestJourneyShopCancelBothInOneForm(t *testing.T) {
	t.Parallel()
	srv, sb, agent, id := agentOnShopOrder(t, epsim.TotalsDiffer)
	agent.visible(`[data-testid="shop-warning"][data-kind="totals"]`)
	agent.openAction("cancel")
	checkShopBoxTicked(t, agent)
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.click(`#order-form [data-testid="submit"]`)
	if flash := agent.waitFlash("the confirmation of the cancel"); !strings.Contains(flash, "Cancelled in the shop.") {
		t.Errorf("confirmation %q", flash)
	}
	agent.waitFor("the shop's cancelled status", `(document.querySelector('[data-testid="shop-status"]') || {}).innerText === "Cancelled"`)
	if got, _ := sb.Order(epsim.ShopID(id)); got.Status != "cancelled" {
		t.Errorf("shop sandbox status %s, want cancelled", got.Status)
	}
	checkPairSucceeded(t, srv, id, omclient.OpCancel, shop.ActionCancel)
}
