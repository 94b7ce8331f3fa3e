package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"ordercare/internal/omsim"
)

// typeRefund opens the refund form on the order page, types amount (as
// "10,00") with reason "goods returned" and submits it.
func typeRefund(p *page, amount string, confirm bool) {
	p.t.Helper()
	p.openAction("create_refund")
	p.click(`#order-form [name="mode"][value="amount"]`)
	p.fill(`#order-form [name="refunded_amount"]`, amount)
	// Typing fetches the effect and the button's label: wait for them, so
	// the reason is chosen and the click lands after the panel has grown.
	p.waitFor("the effect of refunding "+amount, `document.querySelector('#order-form [data-testid="money-preview"][data-ready="true"] [data-testid="effect-summary"]')`)
	p.choose(`#order-form [name="reason"]`, "goods_returned")
	if confirm {
		p.click(`#order-form [data-testid="intent-confirm"]`)
	}
	p.click(`#order-form [data-testid="submit"]`)
}

// Journey: a refund whose answer is lost, then the same refund again. The
// provider applies a 10,00 € refund but every answer is lost: "Outcome
// unknown". A new refund form for 10,00 € is not sent: it says an earlier
// refund's outcome is unknown and keeps the typed amount. The order page
// shows the unknown refund first; "Check now" finds it in the provider's
// refunds and settles it; the history shows it as the attempt it was. A
// refund of 10,00 € then asks "Refund another 10,00 €?" and is sent only
// once that is ticked.
func TestJourneyLostRefundThenSameAmount(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := refundableOrder(t, srv)
	sb := srv.App.Sandbox()

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)

	sb.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: "POST", PathContains: "/refunds", Kind: omsim.FaultResetAfterApply}}})
	typeRefund(agent, "10,00", false)
	agent.visible(`#order-form [data-testid="outcome"][data-outcome="unknown"]`)
	sb.SetFaults(omsim.Faults{})
	applied := srv.applied(t, order.OrderID)

	agent.open("/orders/" + order.OrderID)
	agent.visible(`[data-testid="unsettled"] [data-testid="check-now"]`)
	typeRefund(agent, "10,00", false)
	agent.visible(`#order-form [data-testid="intent"]`)
	if h := agent.text(`#order-form [data-testid="intent-heading"]`); !strings.Contains(h, "unknown outcome") {
		t.Fatalf("intent box %q", h)
	}
	if v := agent.value(`#order-form [name="refunded_amount"]`); v != "10,00" {
		t.Errorf("typed amount %q not kept", v)
	}
	if agent.exists(`#order-form [data-testid="intent-confirm"]`) {
		t.Error("an unknown outcome offered a confirmation instead of a check")
	}
	if n := srv.applied(t, order.OrderID); n != applied {
		t.Fatalf("the second refund was sent while the first was unknown (%d changes)", n-applied)
	}

	agent.open("/orders/" + order.OrderID)
	agent.markWindow()
	agent.click(`[data-testid="unsettled"] [data-testid="check-now"]`)
	agent.waitNewDocument("the order page after Check now")
	if f := agent.text(`[data-testid="flash"]`); !strings.Contains(f, "The change was applied") {
		t.Fatalf("after Check now: %q", f)
	}
	if agent.exists(`[data-testid="unsettled"]`) {
		t.Error("the settled refund is still shown as unknown")
	}
	if hist := agent.text(`#order-history`); !strings.Contains(hist, "Succeeded (checked)") || strings.Contains(hist, "Refund 10,00 € made outside ordercare") {
		t.Errorf("history: %q", hist)
	}

	typeRefund(agent, "10,00", false)
	agent.visible(`#order-form [data-testid="intent-confirm"]`)
	if box := agent.text(`#order-form [data-testid="intent"]`); !strings.Contains(box, "Refund another") || !strings.Contains(box, "10,00") || !strings.Contains(box, agentEmail) {
		t.Fatalf("twin box %q", box)
	}
	if n := len(srv.sandboxOrder(t, order.OrderID).Refunds); n != 1 {
		t.Fatalf("%d refunds before the confirmation, want 1", n)
	}
	agent.click(`#order-form [data-testid="intent-confirm"]`)
	agent.click(`#order-form [data-testid="submit"]`)
	// The page still shows the check's confirmation: wait for the refund.
	agent.waitFor("the second refund on the order page", `document.querySelectorAll('#order-refunds [data-testid="refund"]').length === 2`)
	if n := len(srv.sandboxOrder(t, order.OrderID).Refunds); n != 2 {
		t.Fatalf("%d refunds after the confirmation, want 2", n)
	}
}

// Journey: twin approval requests. An agent asks twice for the same
// refund; the second form asks to confirm and files nothing without it.
// With the confirmation there are two requests; the supervisor's page of
// one lists the other, and approving needs the same explicit confirmation.
func TestJourneyTwinApprovalRequests(t *testing.T) {
	t.Parallel()
	srv := startApprovalServer(t)
	b := startBrowser(t, srv)
	order := refundableOrder(t, srv)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	typeRefund(agent, "5,00", false)
	if f := agent.waitFlash("the first request"); !strings.HasPrefix(f, "Waiting for approval") {
		t.Fatalf("first request: %q", f)
	}
	typeRefund(agent, "5,00", false)
	agent.visible(`#order-form [data-testid="intent-confirm"]`)
	if box := agent.text(`#order-form [data-testid="intent"]`); !strings.Contains(box, "waiting for approval") {
		t.Fatalf("twin box %q", box)
	}
	agent.click(`#order-form [data-testid="intent-confirm"]`)
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the second request")

	sup := b.newPage("supervisor")
	sup.open("/approvals")
	sup.signIn(supervisorEmail)
	openFirstRequest(sup)
	if o := sup.text(`[data-testid="approval-others"]`); !strings.Contains(o, "waiting for approval") {
		t.Fatalf("the request's page does not list the other request: %q", o)
	}
	sup.do("typing the comment", chromedp.SendKeys(chromedp.CSS(`#approval-comment`), "Checked"))
	sup.markWindow()
	sup.click(`[data-testid="approve"]`)
	sup.waitNewDocument("the page after approving without confirmation")
	sup.visible(`[data-testid="approval-notice"]`)
	if n := srv.applied(t, order.OrderID); n != 0 {
		t.Fatalf("approving a twin without confirmation sent %d changes", n)
	}
	if v := sup.value(`#approval-comment`); v != "Checked" {
		t.Errorf("typed comment %q not kept", v)
	}
	sup.click(`[data-testid="intent-confirm"]`)
	sup.markWindow()
	sup.click(`[data-testid="approve"]`)
	sup.waitNewDocument("the page after the confirmed approval")
	if got := sup.text(`[data-testid="flash"]`); !strings.HasPrefix(got, "Approved and sent") {
		t.Fatalf("after the confirmed approval: %q", got)
	}
	if n := len(srv.sandboxOrder(t, order.OrderID).Refunds); n != 1 {
		t.Fatalf("%d refunds after one approval, want 1", n)
	}
}
