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
