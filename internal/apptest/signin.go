package apptest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"ordercare/internal/staff"
)

// Email is the address of the member the tests give a role: the built-in
// sandbox's demo accounts and the handlers tests' members alike.
func Email(r staff.Role) string { return string(r) + "@example.com" }

// SignIn signs in with a password through the sign-in form, as a person
// does: the form's CSRF token, then the post, which must redirect
// somewhere other than the sign-in page.
func (b *Browser) SignIn(email, password string) error {
	p, err := b.Do(http.MethodGet, "/login", nil, nil)
	if err != nil {
		return err
	}
	tok := CSRF(p)
	if tok == "" {
		return fmt.Errorf("sign-in of %s: no CSRF token on /login (status %d)", email, p.Status())
	}
	p, err = b.Do(http.MethodPost, "/login", url.Values{"email": {email}, "password": {password}, "_csrf": {tok}}, nil)
	if err != nil {
		return err
	}
	if p.Status() != http.StatusSeeOther || strings.HasPrefix(p.Location(), "/login") {
		return fmt.Errorf("sign-in of %s: status %d to %q", email, p.Status(), p.Location())
	}
	return nil
}
