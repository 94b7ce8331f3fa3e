package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Journey: a decision reaches the agent. With a threshold of 1,00 € an
// agent's refund waits for approval; a supervisor, in a browser of their
// own, sees it on their start page and rejects it with a comment; the
// agent's navigation then counts one new decision, which leads to their
// start page showing the rejection with the comment; once seen, the count
// is gone. The order page shows the comment as well.
func TestJourneyDecisionReachesTheAgent(t *testing.T) {
	t.Parallel()
	srv := startApprovalServer(t)
	b := startBrowser(t, srv)
	order := refundableOrder(t, srv)

	agent := agentAsksApproval(t, b, order)

	sup := b.newPage("supervisor")
	sup.open("/")
	sup.signIn(supervisorEmail)
	sup.visible(`[data-testid="home-approvals"] [data-testid="home-approval"]`)
	sup.markWindow()
	sup.click(`[data-testid="home-approval"] a`)
	sup.waitNewDocument("the request's page from the start page")
	sup.do("typing the comment", chromedp.SendKeys(chromedp.CSS(`#approval-comment`), "No return slip in HD-42"))
	sup.markWindow()
	sup.click(`[data-testid="reject"]`)
	sup.waitNewDocument("the request's page after rejecting")

	agent.open("/orders/" + order.OrderID)
	if got := agent.text(`#order-approvals [data-testid="closed-approval-comment"]`); !strings.Contains(got, "No return slip in HD-42") {
		t.Errorf("order page comment %q", got)
	}
	if got := agent.text(`[data-testid="nav-decisions"]`); got != "1 new decision" {
		t.Fatalf("navigation %q, want 1 new decision", got)
	}
	agent.markWindow()
	agent.click(`[data-testid="nav-decisions"]`)
	agent.waitNewDocument("the start page with the decision")
	d := `[data-testid="home-decisions"] [data-testid="home-decision"]`
	agent.visible(d)
	if got := agent.text(d); !strings.Contains(got, "Rejected by "+supervisorEmail) {
		t.Errorf("decision %q, want Rejected by %s", got, supervisorEmail)
	}
	if got := agent.text(d + ` [data-testid="home-decision-comment"]`); got != "Comment: “No return slip in HD-42”" {
		t.Errorf("comment %q", got)
	}
	if agent.exists(`[data-testid="nav-decisions"]`) {
		t.Error("the navigation still counts the decision shown on the page")
	}
	agent.open("/")
	agent.visible(`[data-testid="home-page"]`)
	if agent.exists(`[data-testid="home-decision"]`) {
		t.Error("the decision is shown again after it was seen")
	}
}
