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
	// Nothing is preselected: the agent chooses "Everything that is left".
	if eval[bool](agent, `!!document.querySelector('#order-form [name="mode"]:checked')`) {
		t.Fatal(`a mode is preselected on the capture form`)
	}
	agent.click(`#order-form [name="mode"][value="full"]`)
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
	plain.click(`[name="mode"][value="full"]`)
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

// Journey 4: an agent captures two of three lines with tracking info, then
// refunds one of them; the captures and refunds sections show both.
func TestJourney4CaptureTwoLinesThenRefundOne(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.newThreeLineOrder(t, "E2E-CAPTURE-4")
	const tracking = "00340434161094042557"

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.markWindow()

	// Capture the mugs (2) and the tea sampler (1), not the spoons.
	agent.openAction("create_capture")
	agent.click(`#order-form [name="mode"][value="lines"]`)
	agent.fill(`#order-form [name="order_lines[0].quantity"]`, "2")
	agent.fill(`#order-form [name="order_lines[1].quantity"]`, "1")
	agent.fill(`#order-form [name="order_lines[2].quantity"]`, "0")
	agent.fill(`#order-form [name="shipping_info[0].shipping_company"]`, "DHL DE")
	agent.choose(`#order-form [name="shipping_info[0].shipping_method"]`, "Home")
	agent.fill(`#order-form [name="shipping_info[0].tracking_number"]`, tracking)
	agent.fill(`#order-form [name="shipping_info[0].tracking_uri"]`, "https://www.dhl.de/track?piececode="+tracking)
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.waitFor("the effect of capturing 45,00", `(() => {
		const r = document.querySelector('#order-form [data-testid="effect-captured"] [data-testid="after"]');
		return r && r.dataset.minor === "4500";
	})()`)
	agent.click(`#order-form [data-testid="submit"]`)
	if flash := agent.waitFlash("the confirmation of the capture"); !strings.HasPrefix(flash, "Captured 45,00") {
		t.Errorf("capture confirmation %q, want Captured 45,00 €…", flash)
	}
	agent.waitFor("the capture on the page", `document.querySelectorAll('#order-captures [data-testid="capture"]').length === 1`)
	capture := `#order-captures [data-testid="capture"]`
	if got := agent.text(capture + ` [data-testid="capture-amount"]`); !strings.Contains(got, "45,00") {
		t.Errorf("capture amount %q, want 45,00 €", got)
	}
	names := eval[[]string](agent, `[...document.querySelectorAll('#order-captures [data-testid="capture-lines"] [data-testid="line-name"]')].map(e => e.innerText.trim())`)
	if strings.Join(names, ",") != "Coffee mug,Tea sampler" {
		t.Errorf("the capture lists lines %q, want the mugs and the tea sampler", names)
	}
	if got := agent.text(capture + ` [data-testid="shipping-info"]`); !strings.Contains(got, "DHL DE") || !strings.Contains(got, tracking) {
		t.Errorf("the capture's shipping info reads %q, want DHL DE and the tracking number", got)
	}
	if !agent.exists(capture + ` a[data-testid="tracking-link"][href^="https://www.dhl.de/"]`) {
		t.Error("the capture has no tracking link")
	}

	// Refund the tea sampler.
	agent.openAction("create_refund")
	agent.click(`#order-form [name="mode"][value="lines"]`)
	agent.fill(`#order-form [name="order_lines[0].quantity"]`, "0")
	agent.fill(`#order-form [name="order_lines[1].quantity"]`, "1")
	agent.fill(`#order-form [name="description"]`, "Tea sampler returned")
	agent.choose(`#order-form [name="reason"]`, "goods_returned")
	agent.waitFor("the effect of refunding 25,00", `(() => {
		const r = document.querySelector('#order-form [data-testid="effect-refunded"] [data-testid="after"]');
		return r && r.dataset.minor === "2500";
	})()`)
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the refund")
	agent.waitFor("the refund on the page", `document.querySelectorAll('#order-refunds [data-testid="refund"]').length === 1`)
	refund := `#order-refunds [data-testid="refund"]`
	if got := agent.text(refund + ` [data-testid="refund-amount"]`); !strings.Contains(got, "25,00") {
		t.Errorf("refund amount %q, want 25,00 €", got)
	}
	if got := agent.text(refund + ` [data-testid="refund-description"]`); got != "Tea sampler returned" {
		t.Errorf("refund description %q", got)
	}
	if got := agent.text(refund + ` [data-testid="refund-lines"] [data-testid="line-name"]`); got != "Tea sampler" {
		t.Errorf("refund line %q, want the tea sampler", got)
	}
	// The capture is still listed, now with 25,00 refunded from it.
	if got := agent.text(capture + ` [data-testid="capture-refunded"]`); !strings.Contains(got, "25,00") {
		t.Errorf("refunded from the capture: %q, want 25,00 €", got)
	}
	if !agent.windowMarked() {
		t.Error("the capture or the refund reloaded the whole page")
	}

	got := srv.sandboxOrder(t, order.OrderID)
	if got.CapturedAmount != 4500 || got.RefundedAmount != 2500 || len(got.Captures) != 1 || len(got.Refunds) != 1 {
		t.Fatalf("sandbox: captured %d in %d captures, refunded %d in %d refunds; want 4500 in 1 and 2500 in 1",
			got.CapturedAmount, len(got.Captures), got.RefundedAmount, len(got.Refunds))
	}
	if si := got.Captures[0].ShippingInfo; len(si) != 1 || string(si[0].TrackingNumber) != tracking {
		t.Errorf("sandbox capture shipping info %+v", si)
	}
	checkOneSucceeded(t, srv, order.OrderID, "create_capture")
	checkOneSucceeded(t, srv, order.OrderID, "create_refund")
}
