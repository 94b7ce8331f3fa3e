package e2e

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"ordercare/internal/omclient"
)

// screenshotDir, when set, makes TestScreenshots write the README's
// screenshots there (run by hand, not in CI):
//
//	go test ./internal/e2e -run TestScreenshots -screenshots ../../docs/screenshots
var screenshotDir = flag.String("screenshots", "", "write the README screenshots (order.png, audit.png, approval.png, form-error.png, phone.png, dark.png) to this folder")

// TestScreenshots takes the README's screenshots at 1366x768, the agent's
// laptop: the order page of a demo order with a capture and a refund, and
// the audit trail after a few changes.
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWhere(t, "part-captured with a refund", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusPartCaptured && len(o.Refunds) > 0 && len(o.OrderLines) >= 2
	})

	p := b.newPage("screenshots")
	p.open("/orders/" + order.OrderID)
	p.signIn(supervisorEmail)
	p.visible(`[data-testid="order-page"]`)
	p.colorScheme("light")
	p.screenshot(filepath.Join(*screenshotDir, "order.png"))

	// The audit trail after a few changes by the agent and the supervisor.
	agent := b.newPage("agent")
	agent.open("/login")
	agent.signIn(agentEmail)
	first := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	second := srv.orderWhere(t, "a second authorized order", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusAuthorized && o.OrderID != first.OrderID &&
			o.FraudStatus == omclient.FraudAccepted && o.ShippingAddress != nil
	})
	for _, o := range []*omclient.Order{first, second} {
		changeAddress(t, agent, o, newCityFor(o))
	}
	changeAddress(t, p, order, newCityFor(order))
	p.open("/audit")
	p.visible(`#audit-table [data-testid="audit-row"]`)
	p.screenshot(filepath.Join(*screenshotDir, "audit.png"))
}

// screenshot saves the viewport as a PNG.
func (p *page) screenshot(path string) {
	p.t.Helper()
	// Fonts and styles are loaded once the document is complete.
	p.waitFor("the page to finish loading", `document.readyState === "complete" && document.fonts.status === "loaded"`)
	png := run(p, "taking a screenshot", chromedp.CaptureScreenshot())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("wrote %s (%d bytes)", path, len(png))
}

// TestScreenshotApproval takes the README's picture of a four-eyes
// request as the supervisor sees it: the request beside the order as it
// is now, with the approve and reject forms.
func TestScreenshotApproval(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	srv := startApprovalServer(t)
	b := startBrowser(t, srv)
	order := refundableOrder(t, srv)
	agentAsksApproval(t, b, order)

	sup := b.newPage("supervisor")
	sup.open("/approvals")
	sup.signIn(supervisorEmail)
	openFirstRequest(sup)
	sup.colorScheme("light")
	sup.screenshot(filepath.Join(*screenshotDir, "approval.png"))
}

// TestScreenshotFormPhoneDark takes the README's pictures of an address
// form refused with its messages beside the fields (everything typed
// kept), the order page at a phone's 390 px, and the order page in the
// dark colour scheme.
func TestScreenshotFormPhoneDark(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWhere(t, "part-captured with a refund", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusPartCaptured && len(o.Refunds) > 0 && len(o.OrderLines) >= 2
	})
	authorized := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)

	agent := b.newPage("agent")
	agent.open("/orders/" + authorized.OrderID + "/address")
	agent.signIn(agentEmail)
	// A US address without its state: the server's message, not the browser's.
	if authorized.ShippingAddress == nil || authorized.ShippingAddress.Country != "US" {
		t.Skipf("demo order %s is not a US address", authorized.OrderID)
	}
	agent.fill(`[name="shipping_address.region"]`, "")
	agent.fill(`[name="shipping_address.city"]`, "Hamburg")
	agent.choose(`#order-form [name="reason"]`, "data_correction")
	agent.fill(`#order-form [name="ticket"]`, "ZD-1002")
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFor("the messages beside the fields", `document.querySelector('#order-form [data-testid="error-summary"]').innerText.trim() !== ""`)
	agent.colorScheme("light")
	agent.screenshot(filepath.Join(*screenshotDir, "form-error.png"))

	phone := b.newPage("phone")
	phone.viewport(390, 844)
	phone.open("/orders/" + order.OrderID)
	phone.signIn(agentEmail)
	phone.visible(`[data-testid="order-page"]`)
	phone.colorScheme("light")
	phone.screenshot(filepath.Join(*screenshotDir, "phone.png"))

	dark := b.newPage("dark")
	dark.open("/orders/" + order.OrderID)
	dark.signIn(supervisorEmail)
	dark.visible(`[data-testid="order-page"]`)
	dark.colorScheme("dark")
	dark.screenshot(filepath.Join(*screenshotDir, "dark.png"))
}
