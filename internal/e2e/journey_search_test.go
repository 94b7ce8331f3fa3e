package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// Journey 1: an agent signs in, searches a merchant reference as they
// type (no Enter, no page load), and opens the order.
func TestJourney1SignInSearchOpenOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	ref := string(order.MerchantReference1)
	if ref == "" {
		t.Fatalf("demo order %s has no merchant reference", order.OrderID)
	}

	agent := b.newPage("agent")
	// A signed-out browser asking for the orders page is sent to sign in
	// and comes back to it afterwards.
	agent.open("/orders")
	if got := agent.path(); !strings.HasPrefix(got, "/login") {
		t.Fatalf("signed-out /orders went to %s, want the sign-in page", got)
	}
	agent.signIn(agentEmail)
	if got := agent.path(); got != "/orders" {
		t.Fatalf("after sign-in the agent is on %s, want /orders", got)
	}

	agent.visible(`[data-testid="results"]`)
	agent.markWindow()
	agent.fill("#search-q", ref)
	// Results as you type: the table shows the order, without a page load.
	agent.waitFor("the search results for "+ref, `(() => {
		const rows = document.querySelectorAll('#results [data-testid="result"]');
		return rows.length === 1 && rows[0].dataset.orderId === `+js(order.OrderID)+`;
	})()`)
	if !agent.windowMarked() {
		t.Fatal("the search reloaded the whole page; want results updated in place")
	}
	if got := agent.path(); !strings.Contains(got, "q=") {
		t.Errorf("the address bar is %s; want the search in the URL (bookmarkable, back button)", got)
	}

	agent.click(`#results [data-testid="result-link"]`)
	agent.waitNewDocument("the order page")
	agent.visible(`[data-testid="order-page"]`)
	if got := agent.text(`[data-testid="merchant-reference1"]`); got != ref {
		t.Errorf("order page merchant reference 1 = %q, want %q", got, ref)
	}
	if got := agent.text(`[data-testid="order-id"]`); got != order.OrderID {
		t.Errorf("order page id = %q, want %s", got, order.OrderID)
	}
	if got := agent.path(); got != "/orders/"+order.OrderID {
		t.Errorf("order page path = %s", got)
	}
}
