package e2e

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// Journey 8: an agent's session ends while a form is open. Submitting
// sends them to sign in, told that their session ended and that what they
// typed is kept; nothing was sent. Signing in again takes them to the
// form's own page with every field as typed, and sending it again applies
// the change exactly once.
func TestJourney8SessionExpiresMidForm(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	city := newCityFor(order)
	formPath := "/orders/" + order.OrderID + "/address"

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("update_customer_details")
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`#order-form [name="reason"]`, "customer_request")
	agent.fill(`#order-form [name="ticket"]`, "ZD-8008")

	// The session ends on the server (idle timeout, or revoked).
	srv.endSession(t, agent.cookie("session"))
	before := srv.applied(t, order.OrderID)

	agent.markWindow()
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitNewDocument("the sign-in page")
	agent.visible("#login-email")
	if got := agent.path(); got != "/login?next="+url.QueryEscape(formPath) {
		t.Fatalf("after the expired submit the agent is on %s, want sign-in with the way back to the form", got)
	}
	if got := agent.text(`[data-testid="session-ended"]`); !strings.Contains(got, "Your session ended") || !strings.Contains(got, "What you typed is kept") {
		t.Errorf("the sign-in page says %q, want that the session ended and what was typed is kept", got)
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("the submit without a session applied %d changes", n-before)
	}

	agent.signIn(agentEmail)
	if got := agent.path(); got != formPath {
		t.Fatalf("after signing in again the agent is on %s, want the form %s", got, formPath)
	}
	agent.visible(`[data-testid="draft-restored"]`)
	for sel, want := range map[string]string{`[name="shipping_address.city"]`: city, `#order-form [name="reason"]`: "customer_request", `#order-form [name="ticket"]`: "ZD-8008"} {
		if got := agent.value(sel); got != want {
			t.Errorf("after signing in again %s is %q, want %q as typed", sel, got, want)
		}
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("signing in again applied %d changes; the form must wait to be sent", n-before)
	}

	// The agent sends the change again: it is applied once.
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the address change")
	if n := srv.applied(t, order.OrderID); n != before+1 {
		t.Fatalf("the sandbox applied %d changes, want exactly one", n-before)
	}
	if got := srv.sandboxOrder(t, order.OrderID).ShippingAddress; got == nil || string(got.City) != city {
		t.Fatalf("sandbox shipping address %+v, want city %s", got, city)
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpUpdateCustomerDetails)
}

// An agent signs out in a second tab while the first has the address
// form filled in. Sending it gives the sign-in page saying the session
// ended, not "This form has expired"; when somebody else then signs in on
// that tab, they see the form as it is, never what the agent typed.
func TestJourneySignOutInAnotherTabKeepsTheFormFromOthers(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	city := newCityFor(order)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("update_customer_details")
	agent.fill(`[name="shipping_address.city"]`, city)
	agent.choose(`#order-form [name="reason"]`, "data_correction")
	agent.fill(`#order-form [name="ticket"]`, "ZD-8009")

	second := agent.newTab("agent's second tab")
	second.open("/")
	second.markWindow()
	second.click(`form[action="/logout"] button[type="submit"]`)
	second.waitNewDocument("the signed-out page")
	before := srv.applied(t, order.OrderID)

	agent.markWindow()
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitNewDocument("the sign-in page")
	if got := agent.text(`[data-testid="session-ended"]`); !strings.Contains(got, "What you typed is kept") {
		t.Fatalf("the sign-in page says %q, want that the session ended and what was typed is kept", got)
	}

	agent.signIn(supervisorEmail)
	if got := agent.path(); got != "/orders/"+order.OrderID+"/address" {
		t.Fatalf("after signing in the supervisor is on %s, want the form", got)
	}
	agent.visible(`[data-testid="change-form"]`)
	if agent.exists(`[data-testid="draft-restored"]`) {
		t.Error("another member's form was filled in with what the agent typed")
	}
	if got := agent.value(`#order-form [name="ticket"]`); got != "" {
		t.Errorf("the supervisor sees ticket %q the agent typed", got)
	}
	if got := agent.value(`[name="shipping_address.city"]`); got == city {
		t.Errorf("the supervisor sees city %q the agent typed", got)
	}
	if left := eval[string](agent, `sessionStorage.getItem("ordercare.draft") || ""`); left != "" {
		t.Errorf("the agent's draft is still in the tab: %s", left)
	}
	if n := srv.applied(t, order.OrderID); n != before {
		t.Fatalf("%d changes applied; nothing was to be sent", n-before)
	}
}

// An agent reworks the lines of an order (removes the tea, adds a gift
// wrap and a packaging line with "Add line") and their session ends
// before they send it.
// After signing in again the form has exactly the lines they had, each
// with what they typed and its own hidden data (the spoon keeps its
// product page, the new line has none), the reason and the ticket; sent,
// the order gets those lines.
func TestJourneySessionEndsWithAddedLines(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	lines := threeLineLines()
	lines[1].ProductURL = "https://shop.example/tea"
	lines[2].ProductURL = "https://shop.example/spoon"
	order := srv.newLinesOrder(t, "E2E-DRAFT-LINES", lines)
	formPath := "/orders/" + order.OrderID + "/amount"
	row := func(i int, fld string) string {
		return `#order-form [name="order_lines[` + strconv.Itoa(i) + `].` + fld + `"]`
	}

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("update_authorization")
	// Reason and ticket first: the line editor's buttons keep them.
	agent.choose(`#order-form [name="reason"]`, "out_of_stock")
	agent.fill(`#order-form [name="ticket"]`, "ZD-8010")
	agent.click(`#order-form [data-testid="edit-line"][data-index="1"] [data-testid="remove-line"]`)
	agent.waitFor("the editor with two lines", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 2`)
	agent.click(`#order-form [data-testid="add-line"]`)
	agent.waitFor("the editor with a new third line", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 3`)
	agent.fill(row(2, "reference"), "GIFT-9")
	agent.fill(row(2, "name"), "Gift wrap")
	agent.fill(row(2, "unit_price"), "4,50")
	agent.click(`#order-form [data-testid="add-line"]`)
	agent.waitFor("the editor with a new fourth line", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 4`)
	agent.fill(row(3, "reference"), "BOX-4")
	agent.fill(row(3, "name"), "Gift box")
	agent.fill(row(3, "unit_price"), "4,90")
	agent.fill(row(0, "quantity"), "1")
	agent.click(`#order-form [data-testid="recalc"]`)
	agent.waitFor("the totals of the four lines", `(() => {
		const el = document.querySelector('#order-form [data-testid="preview-lines-total"]');
		return el && el.dataset.minor === "3440";
	})()`)
	if r, tk := agent.value(`#order-form [name="reason"]`), agent.value(`#order-form [name="ticket"]`); r != "out_of_stock" || tk != "ZD-8010" {
		t.Fatalf("after Remove, Add line and Update totals the reason is %q and the ticket %q, want them as typed", r, tk)
	}

	submitAfterSessionEnded(t, srv, agent)
	if got := agent.path(); got != formPath {
		t.Fatalf("after signing in again the agent is on %s, want the form %s", got, formPath)
	}
	agent.visible(`[data-testid="draft-restored"]`)
	agent.waitFor("the editor with the agent's four lines", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 4`)
	for sel, want := range map[string]string{
		row(0, "reference"): "MUG-1", row(0, "quantity"): "1",
		row(1, "reference"): "SPN-3", row(1, "name"): "Spoon",
		row(2, "reference"): "GIFT-9", row(2, "name"): "Gift wrap", row(2, "unit_price"): "4,50", row(2, "quantity"): "1",
		row(3, "reference"): "BOX-4", row(3, "name"): "Gift box", row(3, "unit_price"): "4,90",
		`#order-form [name="reason"]`: "out_of_stock", `#order-form [name="ticket"]`: "ZD-8010",
	} {
		if got := agent.value(sel); got != want {
			t.Errorf("after signing in again %s is %q, want %q as typed", sel, got, want)
		}
	}
	if n := srv.applied(t, order.OrderID); n != 0 {
		t.Fatalf("restoring the form applied %d changes; it must wait to be sent", n)
	}

	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitFlash("the confirmation of the new lines")
	got := srv.sandboxOrder(t, order.OrderID)
	if len(got.OrderLines) != 4 || got.OrderAmount != 1000+1500+450+490 {
		t.Fatalf("sandbox order %d with %d lines, want 34,40 € in four lines", got.OrderAmount, len(got.OrderLines))
	}
	for i, want := range []struct{ ref, url string }{{"MUG-1", ""}, {"SPN-3", "https://shop.example/spoon"}, {"GIFT-9", ""}, {"BOX-4", ""}} {
		if l := got.OrderLines[i]; string(l.Reference) != want.ref || string(l.ProductURL) != want.url {
			t.Errorf("line %d is %s with product page %q, want %s with %q", i+1, l.Reference, l.ProductURL, want.ref, want.url)
		}
	}
	checkOneSucceeded(t, srv, order.OrderID, omclient.OpUpdateAuthorization)
}

// An agent removes a line and their session ends before they send it:
// after signing in again the removed line is not back in the form.
func TestJourneySessionEndsWithARemovedLine(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.newThreeLineOrder(t, "E2E-DRAFT-REMOVED")

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	agent.openAction("update_authorization")
	agent.click(`#order-form [data-testid="edit-line"][data-index="0"] [data-testid="remove-line"]`)
	agent.waitFor("the editor with two lines", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 2`)
	agent.choose(`#order-form [name="reason"]`, "out_of_stock")
	agent.fill(`#order-form [name="ticket"]`, "ZD-8011")

	submitAfterSessionEnded(t, srv, agent)
	agent.visible(`[data-testid="draft-restored"]`)
	agent.waitFor("the editor with the agent's two lines", `document.querySelectorAll('#order-form [data-testid="edit-line"]').length === 2`)
	refs := eval[string](agent, `Array.from(document.querySelectorAll('#order-form [name$="].reference"]')).map(e => e.value).join(",")`)
	if refs != "TEA-2,SPN-3" || agent.value(`#order-form [name="ticket"]`) != "ZD-8011" {
		t.Errorf("after signing in again the lines are %s and the ticket %q, want TEA-2,SPN-3 and ZD-8011", refs, agent.value(`#order-form [name="ticket"]`))
	}
	if n := srv.applied(t, order.OrderID); n != 0 {
		t.Fatalf("restoring the form applied %d changes", n)
	}
}

// submitAfterSessionEnded ends the agent's session on the server, sends
// the open form (which lands on the sign-in page) and signs in again.
func submitAfterSessionEnded(t *testing.T, srv *server, agent *page) {
	t.Helper()
	srv.endSession(t, agent.cookie("session"))
	agent.markWindow()
	agent.click(`#order-form [data-testid="submit"]`)
	agent.waitNewDocument("the sign-in page")
	agent.visible("#login-email")
	agent.signIn(agentEmail)
}
