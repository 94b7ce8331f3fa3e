package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"ordercare/internal/omclient"
)

// focusInfo describes the focused element and whether its focus is
// visible: an outline of at least 2px that is not "none", on an element
// with a size on screen.
type focusInfo struct {
	Desc    string  `json:"desc"`
	Outline string  `json:"outline"`
	Width   float64 `json:"width"`
	Visible bool    `json:"visible"`
	Matches bool    `json:"matches"`
}

const focusInfoJS = `((sel) => {
	const el = document.activeElement;
	if (!el || el === document.body) return {desc: "body", outline: "", width: 0, visible: false, matches: false};
	const cs = getComputedStyle(el);
	const r = el.getBoundingClientRect();
	const w = parseFloat(cs.outlineWidth) || 0;
	const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
	return {
		desc: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (text ? " '" + text + "'" : ""),
		outline: cs.outlineStyle + " " + cs.outlineWidth + " " + cs.outlineColor,
		width: w,
		visible: cs.outlineStyle !== "none" && w >= 2 && r.width > 0 && r.height > 0,
		matches: !!sel && el.matches(sel),
	};
})`

// focused describes the focused element.
func (p *page) focused() focusInfo {
	p.t.Helper()
	return p.focusedMatching("")
}

func (p *page) focusedMatching(sel string) focusInfo {
	p.t.Helper()
	return eval[focusInfo](p, focusInfoJS+"("+js(sel)+")")
}

// tabTo presses Tab until the element matching sel has focus, checking on
// the way that every element receiving focus shows it. It fails after max
// presses, naming the elements it passed.
func (p *page) tabTo(sel string, max int) {
	p.t.Helper()
	var passed []string
	for range max {
		p.key(kb.Tab)
		f := p.focusedMatching(sel)
		passed = append(passed, f.Desc)
		if !f.Visible {
			p.t.Errorf("%s: focus on %s is not visible (outline %q)", p.name, f.Desc, f.Outline)
		}
		if f.Matches {
			return
		}
	}
	p.t.Fatalf("%s: %s not reached with %d Tab presses; focus went through %s", p.name, sel, max, strings.Join(passed, ", "))
}

// hasFocus says whether the element matching sel has focus now.
func (p *page) hasFocus(sel string) bool {
	p.t.Helper()
	return eval[bool](p, `!!document.activeElement && document.activeElement.matches(`+js(sel)+`)`)
}

// typeKeys types text into the focused element, key by key.
func (p *page) typeKeys(text string) {
	p.t.Helper()
	p.key(text)
}

// signInWithKeyboard signs in on the sign-in page by typing, Tab and Enter.
func (p *page) signInWithKeyboard(email string) {
	p.t.Helper()
	if !strings.HasPrefix(p.path(), "/login") {
		p.open("/login")
	}
	p.visible("#login-email")
	// The e-mail field has focus when the page opens (autofocus).
	p.waitFor("focus in the e-mail field", `document.activeElement && document.activeElement.id === "login-email"`)
	p.typeKeys(email)
	p.tabTo("#login-password", 1)
	p.typeKeys(demoPassword)
	p.markWindow()
	p.key(kb.Enter)
	p.waitNewDocument("the page after signing in")
	p.visible(`[data-testid="signed-in-as"]`)
}

// Journey 1 with the keyboard alone: sign in, move to the orders page,
// search as you type, open the order; focus is visible all the way.
func TestKeyboardJourney1SignInSearchOpenOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	ref := string(order.MerchantReference1)

	agent := b.newPage("agent")
	agent.signInWithKeyboard(agentEmail)

	// The first Tab reaches the skip link, and it shows.
	agent.tabTo(".skip-link", 1)
	// The main navigation's Orders link, then Enter.
	agent.tabTo(`nav a[href="/orders"]`, 10)
	agent.markWindow()
	agent.key(kb.Enter)
	agent.waitNewDocument("the orders page")
	agent.visible(`[data-testid="results"]`)

	agent.tabTo("#search-q", 15)
	agent.markWindow()
	agent.typeKeys(ref)
	agent.waitFor("the search results for "+ref, `(() => {
		const rows = document.querySelectorAll('#results [data-testid="result"]');
		return rows.length === 1 && rows[0].dataset.orderId === `+js(order.OrderID)+`;
	})()`)
	if !agent.windowMarked() {
		t.Fatal("typing in the search box reloaded the page")
	}
	if !agent.hasFocus("#search-q") {
		t.Errorf("focus left the search box while results updated; it is on %s", agent.focused().Desc)
	}
	// From the search box to the order's link in the results.
	agent.tabTo(`#results [data-testid="result-link"]`, 15)
	agent.key(kb.Enter)
	agent.waitNewDocument("the order page")
	agent.visible(`[data-testid="order-page"]`)
	if got := agent.text(`[data-testid="order-id"]`); got != order.OrderID {
		t.Fatalf("opened order %q, want %s", got, order.OrderID)
	}
}

// Journey 5 with the keyboard alone: the captured order's Cancel cannot be
// reached (disabled, with its reason); on an authorized order the agent
// opens the cancel form, closes it with Escape (focus returns to Cancel),
// opens it again, chooses a reason and confirms.
func TestKeyboardJourney5Cancel(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	captured := srv.orderWithStatus(t, omclient.StatusCaptured, 1)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)

	agent := b.newPage("agent")
	agent.open("/orders/" + captured.OrderID)
	agent.signInWithKeyboard(agentEmail)
	agent.visible(`[data-testid="order-page"]`)
	checkCancelDisabled(t, agent)
	// Tabbing through the whole page never lands on the disabled Cancel.
	for range 80 {
		agent.key(kb.Tab)
		if agent.hasFocus(`[data-action="cancel"] button, [data-action="cancel"]`) {
			t.Fatal("the disabled cancel takes keyboard focus")
		}
		if agent.hasFocus(`#order-captures *`) {
			break
		}
	}

	agent.open("/orders/" + order.OrderID)
	agent.visible(`[data-testid="order-page"]`)
	agent.markWindow()
	cancelLink := `#order-actions a[data-action="cancel"]`
	agent.tabTo(cancelLink, 40)
	agent.key(kb.Enter)
	agent.visible(`#order-form [data-action="cancel"] [data-testid="change-form"]`)
	agent.waitFor("focus on the form's heading", `document.activeElement && document.activeElement.id === "form-title"`)

	// Escape closes the form and gives focus back to the Cancel action.
	agent.key(kb.Escape)
	agent.waitFor("the form to close", `!document.querySelector('#order-form [data-testid="form"]')`)
	if !agent.hasFocus(cancelLink) {
		t.Errorf("after Escape focus is on %s, want the Cancel action that opened the form", agent.focused().Desc)
	}

	agent.key(kb.Enter)
	agent.visible(`#order-form [data-action="cancel"] [data-testid="change-form"]`)
	agent.waitFor("focus on the form's heading", `document.activeElement && document.activeElement.id === "form-title"`)
	agent.tabTo(`#order-form [name="reason"]`, 10)
	agent.key(kb.ArrowDown) // the first reason: customer request
	if got := agent.value(`#order-form [name="reason"]`); got == "" {
		t.Fatal("ArrowDown chose no reason")
	}
	agent.tabTo(`#order-form [data-testid="submit"]`, 10)
	agent.key(kb.Enter)
	agent.waitFlash("the confirmation of the cancel")
	agent.waitFor("the cancelled status badge", `document.querySelector('[data-testid="order-status"]').dataset.status === "CANCELLED"`)
	if !agent.windowMarked() {
		t.Error("the cancel reloaded the whole page")
	}
	// Focus lands on the confirmation, not back at the top of the page.
	if !agent.hasFocus(`#order-flash, #order-flash *`) {
		t.Errorf("after the change focus is on %s, want the confirmation", agent.focused().Desc)
	}
	if got := srv.sandboxOrder(t, order.OrderID).Status; got != omclient.StatusCancelled {
		t.Fatalf("sandbox status %s, want CANCELLED", got)
	}
}
