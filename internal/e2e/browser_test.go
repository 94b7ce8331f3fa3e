package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// waitTimeout bounds every wait for a condition in the page. It is long
// because CI machines are slow and the server runs with the race detector;
// a passing wait returns as soon as its condition holds.
const waitTimeout = 30 * time.Second

// The tests share one headless Chromium process (starting it takes seconds
// on a small machine), launched on first use with a fresh profile folder
// and closed by TestMain. Every user of every test gets a tab in a browser
// context of its own (separate cookies and storage), so each journey starts
// signed out and no test sees another's state.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	dir    string
	err    error
}

func TestMain(m *testing.M) {
	flag.Parse()
	// Start the browser before the first test when it is installed, so a
	// journey's duration in the -v output is the journey's alone.
	if path, err := findChromium(); err == nil && !testing.Short() {
		startChromium(path)
	}
	code := m.Run()
	if chromium.cancel != nil {
		chromium.cancel()
	}
	if chromium.dir != "" {
		_ = os.RemoveAll(chromium.dir)
	}
	os.Exit(code)
}

// browserContext is the shared browser, started on first use.
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath(t)
	startChromium(path)
	if chromium.err != nil {
		t.Fatalf("starting chromium (%s): %v", path, chromium.err)
	}
	return chromium.ctx
}

// startChromium launches the shared browser once.
func startChromium(path string) {
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "ordercare-e2e-profile-")
		if err != nil {
			chromium.err = err
			return
		}
		chromium.dir = dir
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			// The demo's agents read amounts the German way ("45,00 €"):
			// the back office writes money in the browser's language
			// until a member chooses a format on /account.
			chromedp.Flag("accept-lang", "de-DE,de"),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1366, 768),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		chromium.ctx = ctx
		chromium.cancel = func() { cancel(); cancelAlloc() }
		// The first action starts the browser, bound to ctx: it must not
		// carry a deadline (chromedp's docs/API.md, "Set a timeout for one
		// action").
		chromium.err = chromedp.Do(ctx)
	})
}

// browser is a test's handle on the shared browser and its server.
type browser struct {
	t   *testing.T
	srv *server
	ctx context.Context
}

// startBrowser returns the shared browser for a test against srv.
func startBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	return &browser{t: t, srv: srv, ctx: browserContext(t)}
}

// page is one user's tab: a new browser context, so signed out at first.
type page struct {
	t    *testing.T
	name string
	base string
	ctx  context.Context
}

// newPage opens a tab in a fresh browser context at 1366x768. When the
// test fails, the tab's screenshot and HTML are saved as artifacts.
func (b *browser) newPage(name string) *page {
	t := b.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	p := &page{t: t, name: name, base: b.srv.URL, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		cancel()
		t.Fatalf("opening a tab: %v", err)
	}
	// Cleanups run last-registered first: save the artifacts, then close.
	t.Cleanup(cancel)
	t.Cleanup(func() {
		if t.Failed() {
			p.saveArtifacts()
		}
	})
	return p
}

// newTab opens another tab of the same browser context: same cookies,
// its own sessionStorage, as a person's second tab.
func (p *page) newTab(name string) *page {
	t := p.t
	t.Helper()
	ctx, cancel := chromedp.NewContext(p.ctx)
	tab := &page{t: t, name: name, base: p.base, ctx: ctx}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		cancel()
		t.Fatalf("opening a second tab: %v", err)
	}
	t.Cleanup(cancel)
	return tab
}

// saveArtifacts writes the tab's screenshot, HTML and URL.
func (p *page) saveArtifacts() {
	ctx, cancel := context.WithTimeout(p.ctx, 10*time.Second)
	defer cancel()
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		saveArtifact(p.t, p.name+".png", png)
	} else {
		p.t.Logf("%s: no screenshot: %v", p.name, err)
	}
	if html, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`)); err == nil {
		saveArtifact(p.t, p.name+".html", []byte(html))
	}
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		saveArtifact(p.t, p.name+".url.txt", []byte(loc+"\n"))
	}
}

// do runs steps with a deadline and fails the test on error.
func (p *page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
}

// run runs one action with a deadline and returns its value.
func run[T any](p *page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.t.Fatalf("%s: %s: %v", p.name, what, err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	return run(p, "evaluating "+shorten(expr), chromedp.Evaluate[T](expr))
}

// js quotes a Go string for use inside a JavaScript expression.
func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// waitFor polls a JavaScript condition until it is truthy (an explicit
// wait with a deadline, never a fixed sleep); what says in words what the
// test waits for. Errors while the page navigates (the old document's
// context is gone) are retried until the deadline.
func (p *page) waitFor(what, cond string) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	var lastErr error
	for {
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!(`+cond+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) || p.ctx.Err() != nil {
			p.t.Fatalf("%s: waiting for %s: not true after %s (last error: %v)", p.name, what, waitTimeout, lastErr)
		}
		select {
		case <-p.ctx.Done():
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// open navigates to a path of the back office and waits for the load.
func (p *page) open(path string) {
	p.t.Helper()
	p.do("opening "+path, chromedp.Navigate(p.base+path))
}

// visible waits until the CSS selector matches a visible element.
func (p *page) visible(sel string) {
	p.t.Helper()
	p.do("waiting for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
}

// text is the visible text of the first element matching sel (waits for it).
func (p *page) text(sel string) string {
	p.t.Helper()
	p.visible(sel)
	return strings.TrimSpace(eval[string](p, `document.querySelector(`+js(sel)+`).innerText`))
}

// count is how many elements match sel now.
func (p *page) count(sel string) int {
	p.t.Helper()
	return eval[int](p, `document.querySelectorAll(`+js(sel)+`).length`)
}

// exists says whether sel matches an element now.
func (p *page) exists(sel string) bool { return p.count(sel) > 0 }

// click clicks the first visible element matching sel.
func (p *page) click(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	for {
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		// htmx may swap the node out between its lookup and the click (a
		// table rendered again by a second answer): the selector still
		// names one, so look it up again, within the same deadline.
		if err != nil && strings.Contains(err.Error(), "Could not find node with given id") && ctx.Err() == nil {
			continue
		}
		if err != nil {
			p.t.Fatalf("%s: clicking %s: %v", p.name, sel, err)
		}
		return
	}
}

// fill replaces a field's value by typing, as an agent would.
func (p *page) fill(sel, value string) {
	p.t.Helper()
	p.do("typing into "+sel,
		chromedp.WaitVisible(chromedp.CSS(sel)),
		chromedp.Clear(chromedp.CSS(sel)),
		chromedp.SendKeys(chromedp.CSS(sel), value))
}

// value is a form field's current value.
func (p *page) value(sel string) string {
	p.t.Helper()
	return eval[string](p, `document.querySelector(`+js(sel)+`).value`)
}

// path is the tab's current path and query.
func (p *page) path() string {
	p.t.Helper()
	loc := run(p, "reading the location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		p.t.Fatalf("%s: location %q: %v", p.name, loc, err)
	}
	return u.RequestURI()
}

// key sends keys to the focused element (kb.Tab, kb.Enter, kb.Escape…).
func (p *page) key(keys string, opts ...chromedp.KeyOption) {
	p.t.Helper()
	p.do(fmt.Sprintf("pressing %q", keys), chromedp.KeyEvent(keys, opts...))
}

// markWindow sets a marker on window; it survives partial (htmx) updates
// and disappears with a full page load.
func (p *page) markWindow() {
	p.t.Helper()
	eval[bool](p, `(window.__e2eMarker = true)`)
}

// windowMarked says whether the marker set by markWindow is still there.
func (p *page) windowMarked() bool {
	p.t.Helper()
	return eval[bool](p, `window.__e2eMarker === true`)
}

// waitNewDocument waits until the page was replaced by a full navigation
// (the marker is gone) and the new document has loaded.
func (p *page) waitNewDocument(what string) {
	p.t.Helper()
	p.waitFor(what, `window.__e2eMarker !== true && document.readyState === "complete"`)
}

// signIn signs in from the sign-in page (where a signed-out browser is
// sent) and waits until the back office names the member.
func (p *page) signIn(email string) {
	p.t.Helper()
	if !strings.HasPrefix(p.path(), "/login") {
		p.open("/login")
	}
	p.fill("#login-email", email)
	p.fill("#login-password", demoPassword)
	p.markWindow()
	p.click(`form[action="/login"] button[type="submit"]`)
	p.waitNewDocument("the page after signing in")
	p.visible(`[data-testid="signed-in-as"]`)
	if got := p.text(`[data-testid="signed-in-as"]`); !strings.Contains(got, email) {
		p.t.Fatalf("%s: signed in as %q, want %s", p.name, got, email)
	}
}

// cookies are the tab's cookies for the back office (HttpOnly ones too).
func (p *page) cookies() []*network.Cookie {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{p.base + "/"}})
	if err != nil {
		p.t.Fatalf("%s: reading cookies: %v", p.name, err)
	}
	return res.Cookies
}

// cookie is the value of one of the tab's cookies, or "".
func (p *page) cookie(name string) string {
	p.t.Helper()
	for _, c := range p.cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// viewport resizes the tab's viewport.
func (p *page) viewport(w, h int64) {
	p.t.Helper()
	p.do("resizing the viewport", chromedp.EmulateViewport(w, h))
}

// openAction opens an order action's form in the order page's panel (an
// htmx request: the page stays) and waits for the form.
func (p *page) openAction(op string) {
	p.t.Helper()
	p.click(`#order-actions a[data-action="` + op + `"]`)
	p.visible(`#order-form [data-testid="form"][data-action="` + op + `"] [data-testid="change-form"]`)
}

// choose selects an option of a select by value and tells the page so.
func (p *page) choose(sel, value string) {
	p.t.Helper()
	p.do("choosing "+value+" in "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
	eval[bool](p, `document.querySelector(`+js(sel)+`).dispatchEvent(new Event("change", {bubbles: true}))`)
}

// waitFlash waits for the order page's confirmation and returns it.
func (p *page) waitFlash(what string) string {
	p.t.Helper()
	p.waitFor(what, `document.querySelector('#order-flash [data-testid="flash"]')`)
	return p.text(`#order-flash [data-testid="flash"]`)
}

// doubleClick double-clicks the first visible element matching sel, as an
// impatient agent does (two clicks, one mouse gesture).
func (p *page) doubleClick(sel string) {
	p.t.Helper()
	p.do("double-clicking "+sel, chromedp.DoubleClick(chromedp.CSS(sel), chromedp.NodeVisible))
}

// disableJavaScript turns the page's scripts off, as a browser without
// JavaScript (the tests still drive it through the DevTools protocol).
func (p *page) disableJavaScript() {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		p.t.Fatalf("%s: disabling JavaScript: %v", p.name, err)
	}
}

// runAwait evaluates an expression that returns a promise and decodes what
// it resolves to.
func runAwait[T any](p *page, what, expr string) T {
	p.t.Helper()
	return run(p, what, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}
