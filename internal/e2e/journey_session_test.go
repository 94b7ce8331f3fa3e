package e2e

import (
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// Journey 8: an agent's session ends while a form is open. Submitting
// sends them to sign in, told that their session ended and that what they
// typed is kept; nothing was sent. Signing in again takes them to the
// form's own page with every field as typed, and sending it again applies
// the change exactly once.
func TestJourney8SessionExpiresMidForm(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	city := newCityFor(order)
	formPath := "/orders/" + order.OrderID + "/address"

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("update_customer_details")
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.fill(`#order-form [name="ticket"]`, "ZD-8008")

	// The session ends on the server (idle timeout, or revoked).
	srv.endSession(t, agent.cookie("session"))
	before := srv.applied(t, order.OrderID)

	agent.markWindow()
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitNewDocument("the sign-in page")
	agent.visible("#login-email")
	if got := agent.path(); got != "/login?next="+url.QueryEscape(formPath) {
		t.Fatalf("after the expired submit the agent is on %s, want sign-in with the way back to the form", got)
	}
	if got := agent.text(`[data-testid="session-ended"]`); !strings.Contains(got, "Your session ended") || !strings.Contains(got, "What you typed is kept") {
		t.Errorf("the sign-in page says %q, want that the session ended and what was typed is kept", got)
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("the submit without a session applied %d changes", n-before)
	}

	agent.signIn(agentEmail)
	if got := agent.path(); got != formPath {
		t.Fatalf("after signing in again the agent is on %s, want the form %s", got, formPath)
	}
	agent.visible(`[data-testid="draft-restored"]`)
	for sel, want := range map[string]string{`[name="shipping_address.city"]`: city, `#order-form [name="reason"]`: "customer_request", `#order-form [name="ticket"]`: "ZD-8008"} {
		if got := agent.value(sel); got != want {
			t.Errorf("after signing in again %s is %q, want %q as typed", sel, got, want)
		}
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("signing in again applied %d changes; the form must wait to be sent", n-before)
	}

	// The agent sends the change again: it is applied once.
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

// An agent signs out in a second tab while the first has the address
// form filled in. Sending it gives the sign-in page saying the session
// ended, not "This form has expired"; when somebody else then signs in on
// that tab, they see the form as it is, never what the agent typed.
func TestJourneySignOutInAnotherTabKeepsTheFormFromOthers(t *testing.T) {
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
	agent.choose(`#order-form [name="reason"]`, "data_correction")
	agent.fill(`#order-form [name="ticket"]`, "ZD-8009")

	second := agent.newTab("agent's second tab")
	second.open("/")
	second.markWindow()
	second.click(`form[action="/logout"] button[type="submit"]`)
	second.waitNewDocument("the signed-out page")
	before := srv.applied(t, order.OrderID)

	agent.markWindow()
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitNewDocument("the sign-in page")
	if got := agent.text(`[data-testid="session-ended"]`); !strings.Contains(got, "What you typed is kept") {
		t.Fatalf("the sign-in page says %q, want that the session ended and what was typed is kept", got)
	}

	agent.signIn(supervisorEmail)
	if got := agent.path(); got != "/orders/"+order.OrderID+"/address" {
		t.Fatalf("after signing in the supervisor is on %s, want the form", got)
	}
	agent.visible(`[data-testid="change-form"]`)
	if agent.exists(`[data-testid="draft-restored"]`) {
		t.Error("another member's form was filled in with what the agent typed")
	}
	if got := agent.value(`#order-form [name="ticket"]`); got != "" {
		t.Errorf("the supervisor sees ticket %q the agent typed", got)
	}
	if got := agent.value(`[name="shipping_address.city"]`); got == city {
		t.Errorf("the supervisor sees city %q the agent typed", got)
	}
	if left := eval[string](agent, `sessionStorage.getItem("ordercare.draft") || ""`); left != "" {
		t.Errorf("the agent's draft is still in the tab: %s", left)
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("%d changes applied; nothing was to be sent", n-before)
	}
}
