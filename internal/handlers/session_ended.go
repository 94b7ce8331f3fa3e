package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/session"
)

// sessionHasEnded reports whether this signed-out request comes from a
// session that ended rather than from someone who never signed in or
// signed out here: every change (a form is only on pages of a session),
// and any request whose session cookie names no live session (idle
// timeout, sign-out in another tab, revoked).
func (h *Handlers) sessionHasEnded(c echo.Context) bool {
	r := c.Request()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	if _, err := r.Cookie(h.Sessions.Cookie.Name); err != nil {
		return false
	}
	// scs gives a request whose token is unknown (expired, deleted) a new,
	// empty session without a token; loadStaff's Destroy empties it too.
	return h.Sessions.Token(r.Context()) == ""
}

// markSessionEnded remembers, in the new signed-out session, to tell the
// sign-in page why the person is there; signing in clears it.
func (h *Handlers) markSessionEnded(c echo.Context) {
	h.Sessions.Put(c.Request().Context(), session.KeySessionEnded, true)
}

// formPage is where a change sent without a session is taken back to
// after signing in: the form's own page when the change's path also
// answers GET (the order forms do), so the browser can fill in again
// what was typed; otherwise "".
func formPage(c echo.Context) string {
	r := c.Request()
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return ""
	}
	for _, rt := range c.Echo().Routes() {
		if rt.Method == http.MethodGet && rt.Path == c.Path() {
			return r.URL.Path
		}
	}
	return ""
}

// signedOutProtected tells the CSRF check which signed-out requests are
// a session that ended rather than a forgery: a change to a route that
// needs a member. Signing out (or in) elsewhere renews the CSRF token, so
// the form's token no longer matches; it is refused either way, and the
// person is sent to sign in with what they typed kept by the browser.
func signedOutProtected(routes []Route) func(echo.Context) bool {
	protected := map[string]bool{}
	for _, rt := range routes {
		if !rt.Public {
			protected[rt.Method+" "+rt.Path] = true
		}
	}
	return func(c echo.Context) bool {
		return protected[c.Request().Method+" "+c.Path()]
	}
}
