package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"ordercare/internal/omclient"
)

// The main journeys work with JavaScript turned off: sign in, search with
// Enter, open the order, change the shipping address on the form's own
// page and come back to the order with the confirmation.
func TestNoJavaScriptSearchAndChangeAddress(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	ref := string(order.MerchantReference1)
	city := newCityFor(order)

	agent := b.newPage("agent-without-js")
	agent.disableJavaScript()
	agent.open("/login")
	agent.signIn(agentEmail)
	if !eval[bool](agent, `typeof window.htmx === "undefined"`) {
		t.Fatal("htmx ran: JavaScript is not off")
	}

	agent.fill("#search-q", ref)
	agent.markWindow()
	agent.key(kb.Enter)
	agent.waitNewDocument("the results page")
	agent.visible(`[data-testid="results-table"]`)
	if got := agent.path(); !strings.HasPrefix(got, "/orders?") || !strings.Contains(got, "q=") {
		t.Errorf("the search went to %s, want /orders?q=…", got)
	}
	agent.markWindow()
	agent.click(`#results [data-order-id="` + order.OrderID + `"] [data-testid="result-link"]`)
	agent.waitNewDocument("the order page")
	agent.visible(`[data-testid="order-page"]`)

	// The action is a plain link to the form's own page.
	agent.markWindow()
	agent.click(`#order-actions a[data-action="update_customer_details"]`)
	agent.waitNewDocument("the address form page")
	if got := agent.path(); got != "/orders/"+order.OrderID+"/address" {
		t.Fatalf("the address action went to %s", got)
	}
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`[name="reason"]`, "customer_request")
	agent.markWindow()
	agent.click(`[data-testid="change-form"] [data-testid="submit"]`)
	agent.waitNewDocument("the order page after the change")
	agent.visible(`[data-testid="order-page"]`)
	if got := agent.path(); got != "/orders/"+order.OrderID {
		t.Errorf("after the change the agent is on %s, want the order page", got)
	}
	if flash := agent.text(`[data-testid="flash"]`); !strings.Contains(flash, city) {
		t.Errorf("confirmation %q does not name %s", flash, city)
	}
	if got := agent.text(`[data-testid="shipping-address"] address`); !strings.Contains(got, city) {
		t.Errorf("shipping address on the page: %q, want %s", got, city)
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpUpdateCustomerDetails)
}
