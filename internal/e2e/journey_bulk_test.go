package e2e

import (
	"strings"
	"testing"
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
	agent.choose(`[data-testid="bulk-op"]`, "extend_authorization_time")
	agent.markWindow()
	agent.click(`[data-testid="bulk-review"]`)
	agent.waitNewDocument("the confirmation")
	if got := agent.text(`[data-testid="bulk-count"]`); got != "2" {
		t.Fatalf("the confirmation names %q orders; want 2", got)
	}
	for _, id := range ids {
		if n := srv.applied(t, id); n != 0 {
			t.Fatalf("the confirmation sent %d changes to %s", n, id)
		}
	}
	agent.choose(`[data-testid="bulk-start-form"] [name="reason"]`, "customer_request")
	agent.markWindow()
	agent.click(`[data-testid="bulk-start"]`)
	agent.waitNewDocument("the job's page")
	if !strings.HasPrefix(agent.path(), "/bulk/") {
		t.Fatalf("after starting: %s", agent.path())
	}
	agent.markWindow()
	agent.waitFor("both orders sent", `document.querySelector('[data-testid="bulk-progress"]').dataset.finished === "true"
		&& [...document.querySelectorAll('[data-testid="bulk-item"]')].filter(r => r.dataset.state === "sent").length === 2`)
	if !agent.windowMarked() {
		t.Error("the progress reloaded the whole page instead of updating in place")
	}
	if got := agent.text(`[data-testid="bulk-summary"]`); !strings.Contains(got, "2 sent") {
		t.Errorf("summary %q", got)
	}
	for _, id := range ids {
		if n := srv.applied(t, id); n != 1 {
			t.Errorf("order %s was changed %d times; want once", id, n)
		}
	}
}
