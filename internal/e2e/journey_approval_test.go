package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Journey: four-eyes approval. With a threshold of 1,00 € an
// agent's refund of a captured order waits for approval instead of being
// sent; a supervisor, in a browser of their own, sees the count in the
// navigation, opens the request with the order beside it and approves it
// with a comment; the agent reloads the order and sees the refund.
func TestJourneyApprovalAgentRequestsSupervisorApproves(t *testing.T) {
	t.Parallel()
	srv := startApprovalServer(t)
	b := startBrowser(t, srv)
	order := refundableOrder(t, srv)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	refunded := agent.text(`[data-testid="amount-refunded"]`)
	if flash := askRefund(agent); !strings.HasPrefix(flash, "Waiting for approval: refund of") {
		t.Fatalf("confirmation %q, want Waiting for approval…", flash)
	}
	agent.visible(`#order-approvals [data-testid="open-approval"]`)
	if !strings.Contains(agent.text(`#order-approvals`), "Waiting for approval") {
		t.Error("the order page has no Waiting for approval panel")
	}
	if n := srv.applied(t, order.OrderID); n != 0 {
		t.Fatalf("the held refund applied %d changes at the provider", n)
	}

	sup := b.newPage("supervisor")
	sup.open("/")
	sup.signIn(supervisorEmail)
	if got := sup.text(`[data-testid="nav-approvals"] [data-testid="approvals-count"]`); got != "1" {
		t.Fatalf("navigation count %q, want 1", got)
	}
	sup.markWindow()
	sup.click(`[data-testid="nav-approvals"]`)
	sup.waitNewDocument("the approvals list")
	openFirstRequest(sup)
	sup.visible(`[data-testid="approval-order-state"] [data-testid="now-captured"]`)
	if got := sup.text(`[data-testid="approval-requester"]`); got != agentEmail {
		t.Errorf("requested by %q, want %s", got, agentEmail)
	}
	// An empty textarea has no text node for chromedp.Clear: type only.
	sup.do("typing the comment", chromedp.SendKeys(chromedp.CSS(`#approval-comment`), "Return slip checked"))
	sup.markWindow()
	sup.click(`[data-testid="approve"]`)
	sup.waitNewDocument("the request's page after approving")
	if got := sup.text(`[data-testid="flash"]`); !strings.HasPrefix(got, "Approved and sent: refund of") {
		t.Errorf("supervisor's confirmation %q", got)
	}
	if got := eval[string](sup, `document.querySelector('[data-testid="approval-result"]').dataset.result`); got != "executed" {
		t.Fatalf("result %q, want executed", got)
	}

	agent.open("/orders/" + order.OrderID)
	agent.visible(`#order-refunds [data-testid="refund"]`)
	if got := agent.text(`[data-testid="amount-refunded"]`); got == refunded {
		t.Errorf("refunded amount still %q after the approval", got)
	}
	if agent.exists(`#order-approvals [data-testid="open-approval"]`) {
		t.Error("the request still shows as waiting")
	}
	if hist := agent.text(`#order-history`); !strings.Contains(hist, "requested for approval") || !strings.Contains(hist, "Return slip checked") {
		t.Errorf("history lacks the approval path: %q", hist)
	}
}
