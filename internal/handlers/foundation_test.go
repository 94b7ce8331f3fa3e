package handlers_test

import (
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/static"
)

func TestSignInSuccessRenewsTokenAndAudits(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	// A session exists before sign-in (e.g. planted by an attacker).
	b.get("/test/touch")
	before := b.sessionCookie()
	if before == "" {
		t.Fatal("no pre-sign-in session")
	}
	p := b.signIn("Agent@Example.com", testPassword, "")
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if n := sessionSetCookies(p.resp, false); n != 1 {
		t.Fatalf("sign-in sent %d session cookies", n)
	}
	after := b.sessionCookie()
	if after == "" || after == before {
		t.Fatalf("session token not renewed at sign-in: before %q after %q", before, after)
	}
	if got := b.get("/test/agent"); got.resp.StatusCode != http.StatusOK {
		t.Fatalf("signed-in page: %d", got.resp.StatusCode)
	}
	// The pre-sign-in token does not carry the sign-in (fixation).
	old := f.browser()
	old.Client.Jar.SetCookies(mustURL(f.srv.URL), []*http.Cookie{{Name: "session", Value: before}})
	if got := old.get("/test/agent"); got.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old token is signed in: %d", got.resp.StatusCode)
	}
	if kinds := f.auditKinds(); len(kinds) != 1 || kinds[0] != audit.KindSignIn {
		t.Fatalf("audit: %v", kinds)
	}
	logs := f.logs.String()
	if strings.Contains(logs, "agent@example.com") || strings.Contains(logs, testPassword) {
		t.Fatalf("log holds e-mail or password:\n%s", logs)
	}
	if !strings.Contains(logs, `msg="signed in" staff_id=`) || !strings.Contains(logs, "route=/test/agent status=200") {
		t.Fatalf("log lacks sign-in or access line:\n%s", logs)
	}
}

func TestSignInFailureSameAnswerForUnknownAndWrong(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	wrong := b.signIn("agent@example.com", "wrong password", "")
	unknown := b.signIn("nobody@example.com", testPassword, "")
	for _, p := range []page{wrong, unknown} {
		if p.resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", p.resp.StatusCode)
		}
		msg := strings.TrimSpace(p.doc.Find(`[data-testid="login-error"]`).Text())
		if msg != "Wrong e-mail or password." {
			t.Fatalf("message %q", msg)
		}
		if d, _ := p.doc.Find("#login-password").Attr("aria-describedby"); d != "login-error" {
			t.Fatalf("password field not linked to the error: %q", d)
		}
		if live, _ := p.doc.Find("#login-error").Attr("aria-live"); live == "" {
			t.Fatal("error region is not aria-live")
		}
		if b.sessionCookie() != "" {
			t.Fatal("a failed sign-in created a session")
		}
	}
	if v, _ := unknown.doc.Find("#login-email").Attr("value"); v != "nobody@example.com" {
		t.Fatalf("typed e-mail not kept: %q", v)
	}
	if kinds := f.auditKinds(); len(kinds) != 2 || kinds[0] != audit.KindSignInFailed || kinds[1] != audit.KindSignInFailed {
		t.Fatalf("audit: %v", kinds)
	}
	if got := b.get("/test/agent"); got.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("not signed in, yet %d", got.resp.StatusCode)
	}
}

func TestLockoutPerAccount(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	var p page
	for i := range 5 {
		p = b.signIn("agent@example.com", fmt.Sprintf("wrong %d", i), "")
	}
	if p.resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(p.body, "Too many failed sign-ins for this account") {
		t.Fatalf("fifth failure: %d %s", p.resp.StatusCode, p.doc.Find("#login-error").Text())
	}
	// The right password is refused while locked, from any client.
	p = f.browser().signIn("agent@example.com", testPassword, "")
	if p.resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("locked account signed in: %d", p.resp.StatusCode)
	}
	kinds := f.auditKinds()
	if kinds[len(kinds)-2] != audit.KindLockout {
		t.Fatalf("no lockout event: %v", kinds)
	}
	// Another account still signs in.
	if p := f.browser().signIn("supervisor@example.com", testPassword, ""); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("other account: %d", p.resp.StatusCode)
	}
}

func TestLockoutPerAddressIgnoresXForwardedFor(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	for i := range 20 {
		// A spoofed X-Forwarded-For must not spread the failures over many addresses.
		b.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
		b.signIn(fmt.Sprintf("guess%d@example.com", i), "wrong", "")
	}
	b.Header.Set("X-Forwarded-For", "203.0.113.77")
	p := b.signIn("admin@example.com", testPassword, "")
	if p.resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(p.body, "your network address") {
		t.Fatalf("address not locked: %d %s", p.resp.StatusCode, p.doc.Find("#login-error").Text())
	}
}

// Behind a configured proxy (here: loopback, where the test client
// connects from) the client address is the proxy's X-Forwarded-For.
func TestTrustedProxyForwardedAddress(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{trustedProxy: netip.MustParsePrefix("127.0.0.0/8")})
	b := f.browser()
	for i := range 20 {
		b.Header.Set("X-Forwarded-For", "203.0.113.9")
		b.signIn(fmt.Sprintf("guess%d@example.com", i), "wrong", "")
	}
	b.Header.Set("X-Forwarded-For", "203.0.113.9")
	if p := b.signIn("admin@example.com", testPassword, ""); p.resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forwarded address not locked: %d", p.resp.StatusCode)
	}
	other := f.browser()
	other.Header.Set("X-Forwarded-For", "203.0.113.10")
	if p := other.signIn("admin@example.com", testPassword, ""); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another client behind the proxy was locked out: %d", p.resp.StatusCode)
	}
}

func TestSignedOutRedirectsToLoginAndBack(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	p := b.get("/test/agent?tab=lines")
	loc := p.resp.Header.Get("Location")
	if p.resp.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/test/agent?tab=lines") {
		t.Fatalf("signed out: %d %q", p.resp.StatusCode, loc)
	}
	next, _ := b.get(loc).doc.Find(`input[name="next"]`).Attr("value")
	if next != "/test/agent?tab=lines" {
		t.Fatalf("login form lost next: %q", next)
	}
	p = b.signIn("agent@example.com", testPassword, next)
	if p.resp.Header.Get("Location") != "/test/agent?tab=lines" {
		t.Fatalf("after sign-in went to %q", p.resp.Header.Get("Location"))
	}
	// htmx requests get HX-Redirect to the page the browser shows.
	h := f.browser().do(http.MethodGet, "/test/agent", nil, http.Header{"Hx-Request": {"true"}, "Hx-Current-Url": {f.srv.URL + "/test/supervisor"}})
	if h.resp.StatusCode != http.StatusUnauthorized || h.resp.Header.Get("HX-Redirect") != "/login?next=%2Ftest%2Fsupervisor" {
		t.Fatalf("htmx signed out: %d %q", h.resp.StatusCode, h.resp.Header.Get("HX-Redirect"))
	}
}

func TestNextOnlyAllowsLocalPaths(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/login", "evil"} {
		b := f.browser()
		p := b.signIn("agent@example.com", testPassword, next)
		if loc := p.resp.Header.Get("Location"); loc != "/" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestRolesPerRoute(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	want := map[staff.Role]map[string]int{
		staff.RoleAgent:      {"/test/agent": 200, "/test/supervisor": 403, "/test/admin": 403},
		staff.RoleSupervisor: {"/test/agent": 200, "/test/supervisor": 200, "/test/admin": 403},
		staff.RoleAdmin:      {"/test/agent": 200, "/test/supervisor": 200, "/test/admin": 200},
		staff.RoleAuditor:    {"/test/agent": 200, "/test/supervisor": 200, "/test/admin": 403},
	}
	for role, paths := range want {
		b := f.browser()
		b.signIn(string(role)+"@example.com", testPassword, "")
		for path, status := range paths {
			p := b.get(path)
			if p.resp.StatusCode != status {
				t.Errorf("%s GET %s: %d, want %d", role, path, p.resp.StatusCode, status)
			}
			if status == 403 {
				if h := p.doc.Find(`[data-testid="error-page"] h1`).Text(); h != "Not allowed" {
					t.Errorf("%s GET %s: 403 page heading %q", role, path, h)
				}
				if p.doc.Find(`[data-testid="signed-in-as"]`).Length() != 1 {
					t.Errorf("403 page lacks the layout")
				}
			}
		}
	}
	// The auditor never changes anything, even with a valid token.
	b := f.browser()
	b.signIn("auditor@example.com", testPassword, "")
	if p := b.post("/no/such/page", "/test/change", nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("auditor POST: %d", p.resp.StatusCode)
	}
}

func TestDisabledMemberSessionEndsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("before: %d", p.resp.StatusCode)
	}
	if err := f.h.Staff.Disable(t.Context(), f.ids[staff.RoleAgent]); err != nil {
		t.Fatal(err)
	}
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disabled member still in: %d", p.resp.StatusCode)
	}
	// A role change applies to the live session's next request.
	s := f.browser()
	s.signIn("supervisor@example.com", testPassword, "")
	if err := f.h.Staff.SetRole(t.Context(), f.ids[staff.RoleSupervisor], staff.RoleAgent); err != nil {
		t.Fatal(err)
	}
	if p := s.get("/test/supervisor"); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("demoted member still sees supervisor page: %d", p.resp.StatusCode)
	}
}

func TestSignOutNeedsCSRFAndDestroysSession(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	signedIn := b.sessionCookie()

	if p := b.do(http.MethodPost, "/logout", url.Values{}, nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout without token: %d", p.resp.StatusCode)
	}
	if p := b.do(http.MethodPost, "/logout", url.Values{"_csrf": {"forged"}}, nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("logout with a wrong token: %d", p.resp.StatusCode)
	}
	tok := b.token("/no/such/page") // every page with the layout has the sign-out form
	cross := b.do(http.MethodPost, "/logout", url.Values{"_csrf": {tok}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
	if cross.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site logout with token: %d", cross.resp.StatusCode)
	}
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("refused logouts signed out anyway: %d", p.resp.StatusCode)
	}
	p := b.do(http.MethodPost, "/logout", url.Values{"_csrf": {tok}}, nil)
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if b.sessionCookie() == signedIn {
		t.Fatal("token not renewed at sign-out")
	}
	// The old token is dead server-side, not just forgotten by the browser.
	old := f.browser()
	old.Client.Jar.SetCookies(mustURL(f.srv.URL), []*http.Cookie{{Name: "session", Value: signedIn}})
	if p := old.get("/test/agent"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed-out token still works: %d", p.resp.StatusCode)
	}
	if msg := b.get("/login").doc.Find(`[data-testid="flash"]`).Text(); msg != "You are signed out." {
		t.Fatalf("flash %q", msg)
	}
	kinds := f.auditKinds()
	if kinds[len(kinds)-1] != audit.KindSignOut {
		t.Fatalf("audit: %v", kinds)
	}
}

func TestOneSessionCookieOnErrorAndGenericText(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	p := b.get("/test/fail")
	if p.resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
	if n := sessionSetCookies(p.resp, false); n != 1 {
		t.Fatalf("error response sent %d session Set-Cookie headers: %v", n, p.resp.Header.Values("Set-Cookie"))
	}
	if strings.Contains(p.body, "exploded") || strings.Contains(p.body, "/var/secret") {
		t.Fatal("internal error text reached the page")
	}
	rid := p.resp.Header.Get("X-Request-Id")
	if rid == "" || !strings.Contains(p.doc.Find(`[data-testid="error-page"]`).Text(), rid) {
		t.Fatalf("error page lacks the request id %q", rid)
	}
	if !strings.Contains(f.logs.String(), "exploded") {
		t.Fatal("the cause was not logged")
	}
	// htmx gets a fragment, not a page.
	h := b.do(http.MethodGet, "/test/fail", nil, http.Header{"Hx-Request": {"true"}})
	if h.doc.Find(`[data-testid="error-fragment"]`).Length() != 1 || h.doc.Find("nav").Length() != 0 {
		t.Fatalf("htmx error: %s", h.body)
	}
	// A panic becomes the same readable 500.
	if p := b.get("/test/panic"); p.resp.StatusCode != 500 || strings.Contains(p.body, "kaboom") {
		t.Fatalf("panic: %d", p.resp.StatusCode)
	}
	if p := b.get("/no/such/page"); p.resp.StatusCode != 404 || p.doc.Find(`[data-testid="error-page"]`).Length() != 1 {
		t.Fatalf("404: %d", p.resp.StatusCode)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	for _, secure := range []bool{false, true} {
		f := newFoundation(t, foundationOpts{secure: secure})
		b := f.browser()
		for _, path := range []string{"/login", "/no/such/page", "/healthz", static.Path("app.css")} {
			p := b.get(path)
			h := p.resp.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s: CSP %q lacks %q", path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
				t.Errorf("%s: CSP allows unsafe: %q", path, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("Cross-Origin-Opener-Policy") != "same-origin" {
				t.Errorf("%s: headers %v", path, h)
			}
			if (h.Get("Strict-Transport-Security") != "") != secure {
				t.Errorf("%s: HSTS %q with secure=%v", path, h.Get("Strict-Transport-Security"), secure)
			}
			if path == "/login" && h.Get("Cache-Control") != "no-store" {
				t.Errorf("page cacheable: %q", h.Get("Cache-Control"))
			}
		}
		if secure {
			p := b.post("/login", "/login", url.Values{"email": {"agent@example.com"}, "password": {testPassword}})
			var found bool
			for _, c := range p.resp.Cookies() {
				if c.Name == "__Host-session" {
					found = c.Secure && c.HttpOnly && c.Path == "/" && c.SameSite == http.SameSiteLaxMode
				}
			}
			if !found {
				t.Errorf("secure session cookie: %v", p.resp.Header.Values("Set-Cookie"))
			}
		}
	}
}

func TestHealthzAndStatic(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	p := b.get("/healthz")
	if p.resp.StatusCode != 200 || len(p.resp.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("healthz: %d cookies %v", p.resp.StatusCode, p.resp.Header.Values("Set-Cookie"))
	}
	// Load balancers probe with HEAD: it answers like GET, without a body.
	if p := b.do(http.MethodHead, "/healthz", nil, nil); p.resp.StatusCode != 200 || len(p.body) != 0 || len(p.resp.Header.Values("Set-Cookie")) != 0 {
		t.Fatalf("HEAD healthz: %d body %q cookies %v", p.resp.StatusCode, p.body, p.resp.Header.Values("Set-Cookie"))
	}
	for _, name := range []string{"app.css", "app.js", "vendor/htmx.min.js"} {
		path := static.Path(name)
		p := b.get(path)
		if p.resp.StatusCode != 200 || p.resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || len(p.resp.Header.Values("Set-Cookie")) != 0 {
			t.Errorf("%s: %d %q", path, p.resp.StatusCode, p.resp.Header.Get("Cache-Control"))
		}
	}
	if p := b.get("/static/app.css"); p.resp.StatusCode != 404 {
		t.Errorf("unhashed name served: %d", p.resp.StatusCode)
	}
	f.h.DB.(*db.DB).Close()
	if p := b.get("/healthz"); p.resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("healthz with the database closed: %d", p.resp.StatusCode)
	}
	if p := b.do(http.MethodHead, "/healthz", nil, nil); p.resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("HEAD healthz with the database closed: %d", p.resp.StatusCode)
	}
}

func TestBodyOverOneMiBIsRefused(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	big := url.Values{"email": {strings.Repeat("a", 1<<20+1)}, "password": {"x"}}
	if p := b.do(http.MethodPost, "/login", big, nil); p.resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", p.resp.StatusCode)
	}
}

func TestLayoutShowsEnvironmentAndRoleNavigation(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	for role, want := range map[staff.Role][]string{
		staff.RoleAgent:      {"Home", "Orders"},
		staff.RoleSupervisor: {"Home", "Orders", "Audit"},
		staff.RoleAuditor:    {"Home", "Orders", "Audit"},
		staff.RoleAdmin:      {"Home", "Orders", "Audit", "Staff", "Outbox"},
	} {
		b := f.browser()
		b.signIn(string(role)+"@example.com", testPassword, "")
		p := b.get("/no/such/page") // every page has the layout
		var got []string
		p.doc.Find(`nav[aria-label="Main"] a`).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s nav %v, want %v", role, got, want)
		}
		if env, _ := p.doc.Find(`[data-testid="env-banner"]`).Attr("data-env"); env != "sandbox" {
			t.Errorf("banner %q", env)
		}
		hx, _ := p.doc.Find("body").Attr("hx-headers")
		tok, _ := p.doc.Find(`input[name="_csrf"]`).Attr("value")
		if tok == "" || hx != `{"X-CSRF-Token":"`+tok+`"}` {
			t.Errorf("hx-headers %q, token %q", hx, tok)
		}
		in := p.doc.Find(`input[name="q"]`)
		if v, _ := in.Attr("hx-get"); v != "/orders" {
			t.Errorf("search box hx-get %q", v)
		}
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// sessionSetCookies counts Set-Cookie headers for the session cookie.
func sessionSetCookies(resp *http.Response, secure bool) int {
	n := 0
	for _, v := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, session.CookieName(secure)+"=") {
			n++
		}
	}
	return n
}

// auditKinds lists the kinds of all events in the log, oldest first.
func (f *foundation) auditKinds() []audit.Kind {
	f.t.Helper()
	ctx := f.t.Context()
	n, _, err := f.audit.Head(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	var kinds []audit.Kind
	for seq := int64(1); seq <= n; seq++ {
		e, err := f.audit.Event(ctx, seq)
		if err != nil {
			f.t.Fatal(err)
		}
		kinds = append(kinds, e.Kind)
	}
	return kinds
}
