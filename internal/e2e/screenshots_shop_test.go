package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"ordercare/internal/shop/elasticpath/epsim"
)

// TestScreenshotShop takes the README's pictures of the shop's order: the
// top of an order cancelled in the shop but still authorized, its warning
// under the header, and the shop's panel of an order whose totals differ
// (run by hand with -screenshots, as TestScreenshots).
func TestScreenshotShop(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots folder given")
	}
	srv := startServer(t, withShop)
	b := startBrowser(t, srv)
	sb := srv.App.ShopSandbox()

	p := b.newPage("shop")
	p.open("/orders/" + sb.OutOfStep()[epsim.CancelledStillAuthorized])
	p.signIn(agentEmail)
	p.visible(`[data-testid="shop-warnings"]`)
	p.colorScheme("light")
	p.viewport(1366, 560) // the header, the warning and the amounts
	p.screenshot(filepath.Join(*screenshotDir, "shop-warning.png"))

	p.viewport(1366, 768)
	p.open("/orders/" + sb.OutOfStep()[epsim.TotalsDiffer])
	p.visible(`[data-testid="order-shop"]`)
	p.screenshotOf(`[data-testid="order-shop"]`, filepath.Join(*screenshotDir, "shop-panel.png"))
}

// screenshotOf saves the element sel as a PNG.
func (p *page) screenshotOf(sel, path string) {
	p.t.Helper()
	p.waitFor("the page to finish loading", `document.readyState === "complete" && document.fonts.status === "loaded"`)
	png := run(p, "taking a screenshot of "+sel, chromedp.Screenshot(chromedp.CSS(sel)))
	if err := os.WriteFile(path, png, 0o644); err != nil { // #nosec G306 -- a README picture, meant to be read by all
		p.t.Fatal(err)
	}
	p.t.Logf("wrote %s (%d bytes)", path, len(png))
}
