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

// Journey 1 with the keyboard alone: sign in, move to the orders page,
// search as you type, open the order; focus is visible all the way.
func TestKeyboardJourney1SignInSearchOpenOrder(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	ref := string(order.MerchantReference1)

	agent := b.newPage("agent")
	agent.open("/login")
	agent.visible("#login-email")
	// The e-mail field has focus when the page opens (autofocus).
	agent.waitFor("focus in the e-mail field", `document.activeElement && document.activeElement.id === "login-email"`)
	agent.typeKeys(agentEmail)
	agent.tabTo("#login-password", 1)
	agent.typeKeys(demoPassword)
	agent.markWindow()
	agent.key(kb.Enter)
	agent.waitNewDocument("the start page after signing in")
	agent.visible(`[data-testid="signed-in-as"]`)

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
