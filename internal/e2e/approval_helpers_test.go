package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/config"
	"ordercare/internal/omclient"
)

// Shared steps of the four-eyes tests (journey, axe, screenshot).

// startApprovalServer starts the back office with refunds above 1.00 EUR
// (and cancels of orders above it) held for approval.
func startApprovalServer(t *testing.T) *server {
	t.Helper()
	return startServer(t, func(c *config.Config) { c.ApprovalThresholds = "EUR:100" })
}

// refundableOrder is a demo order captured in EUR, with nothing refunded.
func refundableOrder(t *testing.T, srv *server) *omclient.Order {
	t.Helper()
	return srv.orderWhere(t, "a captured EUR order with something to refund", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusCaptured && o.PurchaseCurrency == "EUR" && o.RefundedAmount == 0 &&
			o.CapturedAmount > 100 && o.FraudStatus == omclient.FraudAccepted
	})
}

// askRefund has the signed-in page refund everything refundable on the
// order it shows, reason "goods returned", and returns the confirmation.
func askRefund(p *page) string {
	p.t.Helper()
	p.openAction("create_refund")
	p.click(`#order-form [name="mode"][value="full"]`)
	p.choose(`#order-form [name="reason"]`, "goods_returned")
	// The choice fetches the effect; wait for it (and the button naming
	// the amount) so the click lands after the panel has grown.
	p.waitFor("the effect of refunding everything", `document.querySelector('#order-form [data-testid="money-preview"][data-ready="true"] [data-testid="effect-summary"]')`)
	p.click(`#order-form [data-testid="submit"]`)
	return p.waitFlash("the confirmation of the held refund")
}

// openFirstRequest opens the first request of the list the page shows.
func openFirstRequest(p *page) {
	p.t.Helper()
	p.markWindow()
	p.click(`[data-testid="approval-row"] [data-testid="approval-link"]`)
	p.waitNewDocument("the request's page")
	p.visible(`[data-testid="approval-order-state"]`)
}

// agentAsksApproval signs the agent in on a refundable order and has them
// ask for a refund that waits for approval; it returns their page.
func agentAsksApproval(t *testing.T, b *browser, order *omclient.Order) *page {
	t.Helper()
	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	if flash := askRefund(agent); !strings.HasPrefix(flash, "Waiting for approval: refund of") {
		t.Fatalf("confirmation %q, want Waiting for approval…", flash)
	}
	return agent
}
