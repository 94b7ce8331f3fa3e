package e2e

import (
	"testing"

	"ordercare/internal/omclient"
)

// TestLookOrderPageFitsLaptopAndWideScreen: at 1366x768 and 1920x1080 the
// order header and the amounts are on screen without scrolling, nothing
// scrolls sideways, status badges carry words (not colour alone), numbers
// are right-aligned with tabular figures, and dark mode follows the system.
func TestLookOrderPageFitsLaptopAndWideScreen(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusPartCaptured, 2)

	p := b.newPage("agent")
	p.open("/orders/" + order.OrderID)
	p.signIn(agentEmail)
	p.visible(`[data-testid="order-page"]`)

	for _, vp := range []struct{ w, h int64 }{{1366, 768}, {1920, 1080}} {
		p.viewport(vp.w, vp.h)
		for _, sel := range []string{`[data-testid="order-header"]`, `[data-testid="order-amounts"]`} {
			bottom := eval[float64](p, `document.querySelector(`+js(sel)+`).getBoundingClientRect().bottom`)
			if bottom > float64(vp.h) {
				t.Errorf("%dx%d: %s ends at %.0fpx, below the fold", vp.w, vp.h, sel, bottom)
			}
		}
		if sw := eval[float64](p, `document.documentElement.scrollWidth`); sw > float64(vp.w) {
			t.Errorf("%dx%d: the page is %.0fpx wide and scrolls sideways", vp.w, vp.h, sw)
		}
	}
	p.viewport(1366, 768)

	// The status badge says the status in words and has a colour.
	badge := eval[struct {
		Text, Bg, Color string
	}](p, `(() => { const b = document.querySelector('[data-testid="order-status"]'); const cs = getComputedStyle(b);
		return {Text: b.innerText.trim(), Bg: cs.backgroundColor, Color: cs.color}; })()`)
	if badge.Text == "" || badge.Bg == "rgba(0, 0, 0, 0)" || badge.Bg == badge.Color {
		t.Errorf("status badge %+v: want words and a background colour", badge)
	}

	// Amounts: right-aligned tabular figures.
	for _, sel := range []string{`[data-testid="amount-current"]`, `[data-testid="line-total"]`} {
		st := eval[struct{ Align, Numeric string }](p, `(() => { const cs = getComputedStyle(document.querySelector(`+js(sel)+`));
			return {Align: cs.textAlign, Numeric: cs.fontVariantNumeric}; })()`)
		if st.Align != "right" || st.Numeric != "tabular-nums" {
			t.Errorf("%s: text-align %s, font-variant-numeric %s; want right and tabular-nums", sel, st.Align, st.Numeric)
		}
	}

	// Dark mode follows the system setting.
	p.colorScheme("light")
	light := eval[string](p, `getComputedStyle(document.body).backgroundColor`)
	p.colorScheme("dark")
	dark := eval[string](p, `getComputedStyle(document.body).backgroundColor`)
	p.colorScheme("light")
	if light == dark {
		t.Errorf("the page looks the same in the dark system setting (%s)", dark)
	}
}
