package apptest_test

import (
	"net/http"
	"testing"

	"ordercare/internal/apptest"
	"ordercare/internal/staff"
)

// TestStartSignInAndForm walks what every user of the package relies on:
// the app answers, a demo member signs in through the form, a page's
// forms read as a browser would send them, and a form posted with the
// token of the page it came from signs the member out.
func TestStartSignInAndForm(t *testing.T) {
	s := apptest.Start(t)
	if p := s.Browser().MustDo(t, http.MethodGet, "/orders", nil, nil); p.Status() != http.StatusSeeOther {
		t.Fatalf("signed out, /orders: status %d, want 303", p.Status())
	}
	b := s.SignedIn(t, staff.RoleAgent)
	p := b.MustDo(t, http.MethodGet, "/orders", nil, nil)
	if p.Status() != http.StatusOK {
		t.Fatalf("signed in, /orders: status %d", p.Status())
	}
	out := apptest.FormValues(p, `form[action="/logout"]`)
	if out.Get("_csrf") == "" || out.Get("_csrf") != apptest.CSRF(p) {
		t.Fatalf("sign-out form values %v, page token %q", out, apptest.CSRF(p))
	}
	if p := b.Submit(t, "/orders", "/logout", nil); p.Status() != http.StatusSeeOther {
		t.Fatalf("sign-out: status %d", p.Status())
	}
	if p := b.MustDo(t, http.MethodGet, "/orders", nil, nil); p.Status() != http.StatusSeeOther {
		t.Fatalf("after sign-out, /orders: status %d, want 303", p.Status())
	}
}
