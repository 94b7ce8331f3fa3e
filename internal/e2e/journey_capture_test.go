package e2e

import (
	"strings"
	"testing"
)

// Journey 6: an agent double-clicks "Capture": exactly one capture exists.
func TestJourney6DoubleClickCapture(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.newThreeLineOrder(t, "E2E-DOUBLE-6")

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("create_capture")
	// Everything that is left is the form's first choice.
	if !eval[bool](agent, `document.querySelector('#order-form [name="mode"][value="full"]').checked`) {
		t.Fatal(`"Everything that is left" is not preselected`)
	}
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.waitFor("the effect of capturing everything", `(() => {
		const r = document.querySelector('#order-form [data-testid="effect-captured"] [data-testid="after"]');
		return r && r.dataset.minor === "6000";
	})()`)
	agent.doubleClick(`#order-form [data-testid="submit"]`)
	flash := agent.waitFlash("the confirmation of the capture")
	if !strings.HasPrefix(flash, "Captured") {
		t.Errorf("confirmation %q, want it to start with Captured", flash)
	}
	agent.waitFor("one capture on the page", `document.querySelectorAll('#order-captures [data-testid="capture"]').length === 1`)

	got := srv.sandboxOrder(t, order.OrderID)
	if len(got.Captures) != 1 || got.CapturedAmount != 6000 {
		t.Fatalf("sandbox: %d captures, %d captured; want exactly one capture of 6000", len(got.Captures), got.CapturedAmount)
	}
	if n := srv.applied(t, order.OrderID); n != 1 {
		t.Fatalf("sandbox applied %d changes, want 1", n)
	}
	checkOneSucceeded(t, srv, order.OrderID, "create_capture")
	t.Logf("the double click sent %d capture POSTs", srv.requests(t, "POST", "/orders/:id/capture"))

	// Without JavaScript nothing disables the button; whatever the browser
	// sends, the form's one idempotency key leaves one capture.
	second := srv.newThreeLineOrder(t, "E2E-DOUBLE-6B")
	plain := b.newPage("agent-without-js")
	plain.disableJavaScript()
	plain.open("/orders/" + second.OrderID + "/capture")
	plain.signIn(agentEmail)
	plain.visible(`[data-testid="change-form"]`)
	plain.choose(`[name="reason"]`, "customer_request")
	before := srv.requests(t, "POST", "/orders/:id/capture")
	plain.markWindow()
	plain.doubleClick(`[data-testid="submit"]`)
	plain.waitNewDocument("the order page after the capture")
	plain.visible(`[data-testid="order-page"]`)
	t.Logf("without JavaScript the double click sent %d capture POSTs", srv.requests(t, "POST", "/orders/:id/capture")-before)
	got = srv.sandboxOrder(t, second.OrderID)
	if len(got.Captures) != 1 || got.CapturedAmount != 6000 || srv.applied(t, second.OrderID) != 1 {
		t.Fatalf("without JavaScript: %d captures, %d captured; want exactly one capture of 6000", len(got.Captures), got.CapturedAmount)
	}
	if n := plain.count(`#order-captures [data-testid="capture"]`); n != 1 {
		t.Errorf("without JavaScript the order page shows %d captures", n)
	}
}
