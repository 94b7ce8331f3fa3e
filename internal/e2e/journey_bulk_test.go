package e2e

import (
	"testing"

	"ordercare/internal/omclient"
)

// TestJourneyBulkExtend: an agent ticks two authorized orders on the
// list, chooses "Extend authorization time", confirms with a reason, and
// watches the job's page fill in until both orders are sent; each order
// was extended once at the provider.
func TestJourneyBulkExtend(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)

	agent := b.newPage("agent")
	agent.open("/login")
	agent.signIn(agentEmail)
	agent.open("/orders?status=AUTHORIZED")
	agent.visible(`[data-testid="bulk-form"]`)
	ids := eval[[]string](agent, `[...document.querySelectorAll('#results [data-testid="result"]')].slice(0, 2).map(r => r.dataset.orderId)`)
	if len(ids) != 2 {
		t.Fatalf("the list shows %d authorized orders; want at least 2", len(ids))
	}
	for _, id := range ids {
		agent.click(`#results [data-testid="result"][data-order-id="` + id + `"] [data-testid="bulk-tick"]`)
	}
	agent.startBulk(srv, omclient.OpExtendAuthorizationTime, ids)
	agent.waitBulkSent(2)
	for _, id := range ids {
		if n := srv.applied(t, id); n != 1 {
			t.Errorf("order %s was changed %d times; want once", id, n)
		}
	}
}
