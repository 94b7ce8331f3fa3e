package e2e

import (
	"fmt"
	"math"
	"testing"

	"ordercare/internal/omclient"
)

// widest reports the page's width and the elements that stick out past
// the viewport, ignoring what scrolls inside its own box (tables in a
// .table-scroll card).
func widest(p *page) (float64, []string) {
	type out struct {
		Width float64
		Wide  []string
	}
	r := eval[out](p, `(() => {
		const vw = document.documentElement.clientWidth, wide = [];
		const scrolls = el => { for (let a = el.parentElement; a; a = a.parentElement) {
			const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
		for (const el of document.querySelectorAll('body *')) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > vw + 1 && !scrolls(el)) wide.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '') + ' ' + Math.round(r.right) + 'px');
		}
		return {Width: document.documentElement.scrollWidth, Wide: wide.slice(0, 8)};
	})()`)
	return r.Width, r.Wide
}

// At 390 px (a phone) the order page, its forms and the lists fit the
// screen: nothing makes the page scroll sideways; a wide table scrolls
// inside its card instead. The order page used to lay out 514 px wide and
// the refund form 680 px.
func TestLookPhoneWidthHasNoSidewaysScroll(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWhere(t, "a part-captured order with lines", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusPartCaptured && len(o.OrderLines) >= 2
	})
	p := b.newPage("agent")
	p.open("/login")
	p.viewport(390, 844)
	p.signIn(agentEmail)
	check := func(what string) {
		t.Helper()
		if w, wide := widest(p); w > 390 {
			t.Errorf("%s at 390 px: the page is %.0f px wide; sticking out: %v", what, w, wide)
			p.saveArtifacts()
		}
	}
	check("home")
	p.open("/orders")
	p.visible(`[data-testid="results"]`)
	check("order list")
	p.open("/orders/" + order.OrderID)
	p.visible(`[data-testid="order-page"]`)
	check("order page")
	for _, op := range []omclient.Operation{omclient.OpCreateRefund, omclient.OpCreateCapture, omclient.OpUpdateCustomerDetails,
		omclient.OpUpdateAuthorization, omclient.OpReleaseRemaining, omclient.OpExtendAuthorizationTime,
		omclient.OpUpdateMerchantReferences, omclient.OpAddOrderShippingInfo} {
		p.open("/orders/" + order.OrderID)
		p.visible(`[data-testid="order-page"]`)
		p.openAction(string(op))
		check(fmt.Sprintf("the %s form", op))
	}
	for _, path := range []string{"/approvals", "/approvals/policy", "/account"} {
		p.open(path)
		check(path)
	}
	// The lists of the other roles.
	for email, paths := range map[string][]string{supervisorEmail: {"/", "/audit", "/audit/review", "/audit/events"}, adminEmail: {"/", "/staff", "/outbox"}} {
		p = b.newPage(email)
		p.open("/login")
		p.viewport(390, 844)
		p.signIn(email)
		for _, path := range paths {
			p.open(path)
			check(email + " on " + path)
		}
	}
}

// At 1920 px the order header keeps the facts that belong together side by
// side, as at 1366 px: merchant references 1 and 2 on one row, created and
// last read on the next. Three facts a row split them.
func TestLookWideHeaderKeepsPairsTogether(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	p := b.newPage("agent")
	p.open("/orders/" + order.OrderID)
	p.signIn(agentEmail)
	p.visible(`[data-testid="order-page"]`)
	for _, w := range []int64{1366, 1920} {
		p.viewport(w, 1080)
		top := func(id string) float64 {
			return eval[float64](p, `document.querySelector('[data-testid="`+id+`"]').getBoundingClientRect().top`)
		}
		for _, pair := range [][2]string{{"merchant-reference1", "merchant-reference2"}, {"created", "last-read"}, {"order-id", "provider-reference"}} {
			// Same row: tops within a few pixels (a <code> sits lower).
			if a, b := top(pair[0]), top(pair[1]); math.Abs(a-b) > 8 {
				t.Errorf("at %d px %s and %s are on different rows (%.0f, %.0f)", w, pair[0], pair[1], a, b)
			}
		}
	}
}
