package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/session"
)

// endedText is what the sign-in page says to someone whose session ended.
const endedText = "Your session ended"

func endedMessage(p page) string {
	return strings.TrimSpace(p.doc.Find(`[data-testid="session-ended"]`).Text())
}

// A form sent after the session ended on the server (idle timeout,
// revoked) sends nothing and takes the person to sign in, told why, and
// back to the form's own page, where the page script fills in again what
// they typed; signing in clears the message.
func TestChangeAfterSessionEndedGoesToSignInAndBackToTheForm(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	tok := b.token("/no/such/page")
	f.endSessionOf(b)

	p := b.do(http.MethodPost, "/test/form/o-1", url.Values{"_csrf": {tok}, "city": {"Bremen"}}, http.Header{"Referer": {f.srv.URL + "/orders/o-1"}})
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/test/form/o-1") {
		t.Fatalf("change after the session ended: %d %q, want 303 to sign in and back to the form", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	login := b.get(p.resp.Header.Get("Location"))
	if msg := endedMessage(login); !strings.Contains(msg, endedText) {
		t.Fatalf("sign-in page says %q, want %q", msg, endedText)
	}
	if login.doc.Find(`[data-session-ended] [data-draft-kept]`).Length() != 1 {
		t.Error("the sign-in page has no place to say that what was typed is kept")
	}
	if strings.Contains(login.body, "Bremen") || strings.Contains(p.resp.Header.Get("Location"), "Bremen") {
		t.Error("what was typed is in the sign-in page or its URL")
	}
	// A wrong password keeps the message; signing in clears it.
	if msg := endedMessage(b.signIn("agent@example.com", "wrong", "/test/form/o-1")); !strings.Contains(msg, endedText) {
		t.Errorf("after a wrong password the sign-in page says %q, want %q", msg, endedText)
	}
	in := b.signIn("agent@example.com", testPassword, "/test/form/o-1")
	if in.resp.Header.Get("Location") != "/test/form/o-1" {
		t.Fatalf("after signing in: %q, want the form", in.resp.Header.Get("Location"))
	}
	b.do(http.MethodPost, "/logout", url.Values{"_csrf": {b.token("/no/such/page")}}, nil)
	if msg := endedMessage(b.get("/login")); msg != "" {
		t.Errorf("after signing in and out the sign-in page still says %q", msg)
	}
}

// Signing out in another tab renews the browser's CSRF token, so the
// first tab's form no longer matches: it is a session that ended, not a
// forgery, and goes to sign in like one instead of "This form has
// expired" (which would lose what was typed).
func TestChangeAfterSignOutInAnotherTabGoesToSignIn(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	firstTab := b.token("/no/such/page")
	secondTab := b.token("/no/such/page")
	b.do(http.MethodPost, "/logout", url.Values{"_csrf": {secondTab}}, nil)
	b.get("/login") // the second tab shows "You are signed out."

	p := b.do(http.MethodPost, "/test/form/o-1", url.Values{"_csrf": {firstTab}, "city": {"Bremen"}}, nil)
	if p.resp.StatusCode != http.StatusSeeOther || p.resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/test/form/o-1") {
		t.Fatalf("first tab's change after signing out in the second: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}
	if msg := endedMessage(b.get(p.resp.Header.Get("Location"))); !strings.Contains(msg, endedText) {
		t.Fatalf("sign-in page says %q, want %q", msg, endedText)
	}
	// A signed-in member's wrong token is still refused as before.
	b.signIn("agent@example.com", testPassword, "")
	if p := b.do(http.MethodPost, "/test/form/o-1", url.Values{"_csrf": {firstTab}}, nil); p.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("signed in with a stale token: %d, want 403", p.resp.StatusCode)
	}
}

// htmx requests get a message and a whole-window redirect, never the
// sign-in page swapped into a fragment.
func TestHTMXChangeAfterSessionEndedSaysSo(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	tok := b.token("/no/such/page")
	f.endSessionOf(b)
	p := b.do(http.MethodPost, "/test/form/o-1", url.Values{"city": {"Bremen"}},
		http.Header{"Hx-Request": {"true"}, "X-Csrf-Token": {tok}, "Hx-Current-Url": {f.srv.URL + "/orders/o-1"}})
	if p.resp.StatusCode != http.StatusUnauthorized || p.resp.Header.Get("HX-Redirect") != "/login?next="+url.QueryEscape("/test/form/o-1") {
		t.Fatalf("htmx change after the session ended: %d HX-Redirect %q", p.resp.StatusCode, p.resp.Header.Get("HX-Redirect"))
	}
	if !strings.Contains(p.body, endedText) || strings.Contains(p.body, "login-email") {
		t.Fatalf("htmx answer %q: want the message, not the sign-in form", p.body)
	}
}

// A stale session cookie on any page: the sign-in page says the session
// ended; someone who never signed in, or signed out here, is not told so.
func TestStaleCookieGetsSessionEndedMessage(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	f.endSessionOf(b)
	p := b.get("/test/agent")
	if p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("stale cookie: %d", p.resp.StatusCode)
	}
	if msg := endedMessage(b.get(p.resp.Header.Get("Location"))); !strings.Contains(msg, endedText) {
		t.Fatalf("stale cookie: sign-in page says %q, want %q", msg, endedText)
	}

	never := f.browser()
	if msg := endedMessage(never.get(never.get("/test/agent").resp.Header.Get("Location"))); msg != "" {
		t.Errorf("never signed in, told %q", msg)
	}
	out := f.browser()
	out.signIn("agent@example.com", testPassword, "")
	out.do(http.MethodPost, "/logout", url.Values{"_csrf": {out.token("/no/such/page")}}, nil)
	if msg := endedMessage(out.get(out.get("/test/agent").resp.Header.Get("Location"))); msg != "" {
		t.Errorf("signed out here, then told %q", msg)
	}
}

// The layout tells the page script whose page it is (the draft is only
// filled in again for the member who typed it), and loads the script.
func TestLayoutTagsTheMemberAndLoadsTheDraftScript(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("agent@example.com", testPassword, "")
	p := b.get("/no/such/page")
	if tag, _ := p.doc.Find("body").Attr("data-member"); tag == "" {
		t.Error("the body has no data-member")
	}
	if p.doc.Find(`script[src*="/static/draft."]`).Length() != 1 {
		t.Error("the layout does not load draft.js")
	}
	if p.doc.Find(`form[action="/logout"][data-no-draft]`).Length() != 1 {
		t.Error("the sign-out form is not excluded from drafts")
	}
	if tag, ok := f.browser().get("/login").doc.Find("body").Attr("data-member"); ok {
		t.Errorf("the signed-out sign-in page tags member %q", tag)
	}
}

// endSessionOf deletes b's session from the store, as the idle timeout
// does: b keeps its cookie, the server no longer knows it.
func (f *foundation) endSessionOf(b *browser) {
	f.t.Helper()
	st, ok := f.h.Sessions.Store.(*session.Store)
	if !ok {
		f.t.Fatalf("session store is %T", f.h.Sessions.Store)
	}
	if err := st.DeleteCtx(f.t.Context(), b.sessionCookie()); err != nil {
		f.t.Fatal(err)
	}
}
