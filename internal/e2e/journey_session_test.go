package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// Journey 8: an agent's session ends while a form is open. Submitting
// sends them to sign in and back to the order; nothing was sent; sending
// again applies the change exactly once.
func TestJourney8SessionExpiresMidForm(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	city := newCityFor(order)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("update_customer_details")
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`#order-form [name="reason"]`, "customer_request")

	// The session ends on the server (idle timeout, or revoked).
	srv.endSession(t, agent.cookie("session"))
	before := srv.applied(t, order.OrderID)

	agent.markWindow()
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitNewDocument("the sign-in page")
	agent.visible("#login-email")
	if got := agent.path(); !strings.HasPrefix(got, "/login?next=") || !strings.Contains(got, order.OrderID) {
		t.Fatalf("after the expired submit the agent is on %s, want sign-in with the way back to the order", got)
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("the submit without a session applied %d changes", n-before)
	}

	agent.signIn(agentEmail)
	if got := agent.path(); got != "/orders/"+order.OrderID {
		t.Fatalf("after signing in again the agent is on %s, want the order", got)
	}
	agent.visible(`[data-testid="order-page"]`)

	// The agent sends the change again: it is applied once.
	agent.openAction("update_customer_details")
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the address change")
	if n := srv.applied(t, order.OrderID); n != before+1 {
		t.Fatalf("the sandbox applied %d changes, want exactly one", n-before)
	}
	if got := srv.sandboxOrder(t, order.OrderID).ShippingAddress; got == nil || string(got.City) != city {
		t.Fatalf("sandbox shipping address %+v, want city %s", got, city)
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpUpdateCustomerDetails)
}
