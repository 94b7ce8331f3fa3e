package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// Journey 5, first half: on a captured order the Cancel action is there
// but disabled, with its reason written beside it and linked to it.
func TestJourney5CancelDisabledOnCapturedOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	captured := srv.orderWithStatus(t, omclient.StatusCaptured, 1)

	agent := b.newPage("agent")
	agent.open("/orders/" + captured.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	checkCancelDisabled(t, agent)
}

// checkCancelDisabled: the order page's Cancel is a disabled button (not a
// link), described by a visible reason that mentions the captures.
func checkCancelDisabled(t *testing.T, p *page) {
	t.Helper()
	const li = `#order-actions [data-testid="action"][data-action="cancel"]`
	p.visible(li)
	if got := eval[string](p, `document.querySelector(`+js(li)+`).dataset.allowed`); got != "false" {
		t.Fatalf("cancel on a captured order: data-allowed=%q, want false", got)
	}
	if p.exists(li + ` a`) {
		t.Fatal("cancel on a captured order is still a link")
	}
	if !eval[bool](p, `document.querySelector(`+js(li+` button`)+`).disabled`) {
		t.Fatal("the cancel button is not disabled")
	}
	reason := eval[string](p, `(() => {
		const btn = document.querySelector(`+js(li+` button`)+`);
		const ids = (btn.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
		return ids.map(id => { const el = document.getElementById(id); return el ? el.innerText : ""; }).join(" ").trim();
	})()`)
	if !strings.Contains(strings.ToLower(reason), "captur") {
		t.Errorf("the disabled cancel's described reason is %q; want it to say the order has captures", reason)
	}
	if shown := p.text(li + ` [data-testid="action-reason"]`); shown != reason {
		t.Errorf("visible reason %q differs from the described one %q", shown, reason)
	}
}

// Journey 5, second half: on an authorized order the cancel goes through
// after its confirmation step, which names the order and its amount.
func TestJourney5CancelAfterConfirmation(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	title := agent.text(`#order-title`)
	amount := agent.text(`[data-testid="amount-current"]`)
	agent.markWindow()

	agent.openAction("cancel")
	question := agent.text(`#order-form [data-testid="confirm-question"]`)
	if !strings.Contains(question, title) || !strings.Contains(question, amount) {
		t.Errorf("confirmation %q does not name the order %q and its amount %q", question, title, amount)
	}
	if n := srv.applied(t, order.OrderID); n != 0 {
		t.Fatalf("opening the confirmation applied %d changes", n)
	}
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.click(`#order-form [data-testid="submit"]`)

	flash := agent.waitFlash("the confirmation of the cancel")
	if !strings.Contains(strings.ToLower(flash), "cancelled") {
		t.Errorf("confirmation %q does not say the order was cancelled", flash)
	}
	agent.waitFor("the cancelled status badge", `document.querySelector('[data-testid="order-status"]').dataset.status === "CANCELLED"`)
	if !agent.windowMarked() {
		t.Error("the cancel reloaded the whole page; want it updated in place")
	}
	if got := srv.sandboxOrder(t, order.OrderID).Status; got != omclient.StatusCancelled {
		t.Fatalf("sandbox status %s, want CANCELLED", got)
	}
	// Cancelled: no change is offered any more.
	if n := agent.count(`#order-actions [data-testid="action"][data-allowed="true"]`); n != 0 {
		t.Errorf("%d actions still offered on the cancelled order", n)
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpCancel)
}
