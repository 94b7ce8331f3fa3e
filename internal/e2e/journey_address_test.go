package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// newCityFor is a city different from the current one.
func newCityFor(o *omclient.Order) string {
	if o.ShippingAddress != nil && string(o.ShippingAddress.City) == "Hamburg" {
		return "Bremen"
	}
	return "Hamburg"
}

// Journey 2: an agent changes the shipping address from the order page;
// the page shows the new address without a full reload; the supervisor
// then finds that change in /audit.
func TestJourney2ChangeShippingAddress(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	if order.ShippingAddress == nil {
		t.Fatalf("demo order %s has no shipping address", order.OrderID)
	}
	oldCity := string(order.ShippingAddress.City)
	city := newCityFor(order)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.markWindow()

	agent.openAction("update_customer_details")
	// Prefilled with the current address.
	if got := agent.value(`[name="shipping_address.city"]`); got != oldCity {
		t.Errorf("the form shows city %q, want the current %q", got, oldCity)
	}
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`#order-form [name="reason"]`, "data_correction")
	agent.fill(`#order-form [name="ticket"]`, "ZD-1002")
	agent.click(`#order-form [data-testid="submit"]`)

	flash := agent.waitFlash("the confirmation of the address change")
	if !strings.Contains(flash, city) {
		t.Errorf("confirmation %q does not name the new city %s", flash, city)
	}
	if got := agent.text(`[data-testid="shipping-address"] address`); !strings.Contains(got, city) {
		t.Errorf("shipping address on the page: %q, want it to show %s", got, city)
	}
	if !agent.windowMarked() {
		t.Error("the address change reloaded the whole page; want it updated in place")
	}
	if got := agent.path(); got != "/orders/"+order.OrderID {
		t.Errorf("address bar %s after the change, want the order page", got)
	}
	if agent.exists(`#order-form [data-testid="form"]`) {
		t.Error("the form is still open after the change succeeded")
	}
	if got := srv.sandboxOrder(t, order.OrderID).ShippingAddress; got == nil || string(got.City) != city {
		t.Fatalf("sandbox shipping address %+v, want city %s", got, city)
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpUpdateCustomerDetails)

	supervisorFindsChange(t, b, order, oldCity, city)
}
