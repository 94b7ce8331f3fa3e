package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
)

func TestChangeOwnPasswordKeepsThisSessionOnly(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b, other := f.browser(), f.browser()
	b.signIn("agent@example.com", testPassword, "")
	other.signIn("agent@example.com", testPassword, "")

	change := func(current, next, confirm string) page {
		return b.post("/account", "/account/password", url.Values{"current": {current}, "new": {next}, "confirm": {confirm}})
	}
	for _, c := range []struct{ current, next, confirm, field string }{
		{"not my password", "a fresh passphrase", "a fresh passphrase", "current-password-error"},
		{testPassword, "Password123", "Password123", "new-password-error"},
		{testPassword, "a fresh passphrase", "a fresh passphrasf", "new-password-error"},
	} {
		p := change(c.current, c.next, c.confirm)
		if p.resp.StatusCode != http.StatusUnprocessableEntity || p.doc.Find(`[data-testid="`+c.field+`"]`).Text() == "" {
			t.Fatalf("%q -> %q: %d, no message at %s", c.current, c.next, p.resp.StatusCode, c.field)
		}
	}
	if p := change(testPassword, "a fresh passphrase", "a fresh passphrase"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", p.resp.StatusCode)
	}
	if p := b.get("/test/agent"); p.resp.StatusCode != http.StatusOK {
		t.Fatalf("the session that changed it: %d", p.resp.StatusCode)
	}
	if p := other.get("/test/agent"); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another session after the change: %d", p.resp.StatusCode)
	}
	if p := f.browser().signIn("agent@example.com", "a fresh passphrase", ""); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in with the new password: %d", p.resp.StatusCode)
	}
}
