package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestOwnSessionsListedAndEnded(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b, other, someoneElse := f.browser(), f.browser(), f.browser()
	b.Header.Set("User-Agent", "Laptop browser")
	other.Header.Set("User-Agent", "Phone browser")
	b.signIn("agent@example.com", testPassword, "")
	other.signIn("agent@example.com", testPassword, "")
	someoneElse.signIn("supervisor@example.com", testPassword, "")

	acct := b.get("/account")
	rows := acct.doc.Find(`[data-testid="session"]`)
	if rows.Length() != 2 || acct.doc.Find(`[data-testid="session"][data-current]`).Length() != 1 {
		t.Fatalf("%d sessions listed: %q", rows.Length(), acct.doc.Find(`[data-testid="sessions"]`).Text())
	}
	if txt := acct.doc.Find(`[data-testid="sessions"]`).Text(); !strings.Contains(txt, "Phone browser") || !strings.Contains(txt, "Laptop browser") {
		t.Fatalf("the list does not name the browsers: %q", txt)
	}
	form := acct.doc.Find(`[data-testid="session"]:not([data-current]) form`)
	action, _ := form.Attr("action")
	if action == "" || form.Parent().Text() == "" {
		t.Fatal("no form to end the other session")
	}
	if p := b.post("/account", action, nil); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending the other session: %d", p.resp.StatusCode)
	}
	if p := other.get("/test/agent"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the ended session: %d", p.resp.StatusCode)
	}
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("this session: %d", p.resp.StatusCode)
	}
	if p := someoneElse.get("/test/supervisor"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("another member's session: %d", p.resp.StatusCode)
	}
	if p := b.post("/account", action, nil); p.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("ending it twice: %d", p.resp.StatusCode)
	}
}

// TestOwnSessionsReadInTheMembersZone: the sessions list writes its times
// as every other page does, in the member's time zone with its name
// ("7 Dec 2026, 06:36 CET"), not as "2026-12-07 05:36 UTC".
func TestOwnSessionsReadInTheMembersZone(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.Client.Jar.SetCookies(mustURL(f.srv.URL), []*http.Cookie{{Name: "tz", Value: "Asia/Tokyo"}})
	b.signIn("agent@example.com", testPassword, "")
	txt := b.get("/account").doc.Find(`[data-testid="session"]`).Text()
	if !regexp.MustCompile(`Signed in \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d JST`).MatchString(txt) {
		t.Fatalf("the session reads %q, want its sign-in time like the other pages (\"7 Dec 2026, 14:36 JST\")", strings.Join(strings.Fields(txt), " "))
	}
}
