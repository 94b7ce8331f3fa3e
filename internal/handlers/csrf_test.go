package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
)

// A token in the URL is not a token: it leaks through logs, history and
// Referer, so only the form body or the X-CSRF-Token header count.
func TestCSRFTokenOnlyFromTheBodyOrHeader(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	tok := b.token("/no/such/page")
	if p := b.do(http.MethodPost, "/test/change?_csrf="+url.QueryEscape(tok), url.Values{"x": {"1"}}, nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token in the query string: %d, want 403", p.resp.StatusCode)
	}
	if p := b.do(http.MethodPost, "/test/change", url.Values{"x": {"1"}}, http.Header{"X-Csrf-Token": {tok}}); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("token in the header: %d", p.resp.StatusCode)
	}
	if p := b.do(http.MethodPost, "/test/change", url.Values{"_csrf": {tok}}, nil); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("token in the body: %d", p.resp.StatusCode)
	}
}

// A token learnt before a sign-in (another member's, on a shared
// browser) or before a sign-out does not outlive it.
func TestCSRFTokenRenewedAtSignInAndSignOut(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	before := b.token("/login")
	b.signIn("agent@example.com", testPassword, "")
	if p := b.do(http.MethodPost, "/test/change", url.Values{"_csrf": {before}}, nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token from before the sign-in: %d, want 403", p.resp.StatusCode)
	}
	signedIn := b.token("/no/such/page")
	if signedIn == before {
		t.Fatal("the sign-in kept the token")
	}
	if p := b.do(http.MethodPost, "/logout", url.Values{"_csrf": {signedIn}}, nil); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", p.resp.StatusCode)
	}
	// The signed-out session's form cannot sign the next member in.
	p := b.do(http.MethodPost, "/login", url.Values{"_csrf": {signedIn}, "email": {"supervisor@example.com"}, "password": {testPassword}}, nil)
	if p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("token from before the sign-out: %d, want 403", p.resp.StatusCode)
	}
	if p := b.signIn("supervisor@example.com", testPassword, ""); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the new token: %d", p.resp.StatusCode)
	}
}

// Another member signing in on the same browser, without signing out
// first, gets a new token too: the first member's forms stop working.
func TestCSRFTokenRenewedWhenAnotherMemberSignsInOnTheSameBrowser(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	agents := b.token("/no/such/page")
	p := b.do(http.MethodPost, "/login", url.Values{"_csrf": {agents}, "email": {"supervisor@example.com"}, "password": {testPassword}}, nil)
	if p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second member's sign-in: %d", p.resp.StatusCode)
	}
	if got := b.get("/test/supervisor"); got.resp.StatusCode != http.StatusOK {
		t.Fatalf("the second member is not signed in: %d", got.resp.StatusCode)
	}
	if p := b.do(http.MethodPost, "/test/change", url.Values{"_csrf": {agents}}, nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the first member's token after the second signed in: %d, want 403", p.resp.StatusCode)
	}
	if b.token("/no/such/page") == agents {
		t.Fatal("the second sign-in kept the first member's token")
	}
}
