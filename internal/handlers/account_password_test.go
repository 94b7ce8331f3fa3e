package handlers_test

import (
	"net/http"
	"net/url"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
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

// Wrong current passwords typed on the account page (changing it, or as
// the proof that removes a passkey) lock the account as the sign-in page
// does, and the lock-out is an audit event there too.
func TestWrongPasswordsOnTheAccountPageLockAndAreAudited(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional, passkeys: true})
	agent, sup := f.browser(), f.browser()
	agent.signIn("agent@example.com", testPassword, "")
	sup.signIn("supervisor@example.com", testPassword, "")
	sup.addPasskey(newSoftKey(t), "laptop")
	id, _ := sup.get("/account").doc.Find(`[data-testid="passkey"]`).Attr("data-passkey-id")

	tries := map[string]func() page{
		"agent@example.com": func() page {
			return agent.post("/account", "/account/password", url.Values{"current": {"not my password"}, "new": {"a fresh passphrase"}, "confirm": {"a fresh passphrase"}})
		},
		"supervisor@example.com": func() page {
			return sup.post("/account", "/account/passkeys/"+id+"/remove", url.Values{"password": {"not my password"}})
		},
	}
	for who, try := range tries {
		var p page
		for range staff.DefaultLimits.MaxPerAccount {
			p = try()
		}
		if p.resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("%s: after %d wrong passwords: %d", who, staff.DefaultLimits.MaxPerAccount, p.resp.StatusCode)
		}
		var locked []audit.Event
		for _, e := range f.events(audit.KindLockout) {
			if e.Actor.Email == who {
				locked = append(locked, e)
			}
		}
		if len(locked) != 1 || locked[0].Detail["scope"] != staff.ScopeAccount {
			t.Fatalf("%s: lock-out events %+v", who, locked)
		}
	}
}
