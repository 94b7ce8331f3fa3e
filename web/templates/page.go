// Package templates holds the back office's templ components. Components
// receive view models (view.Page and the per-page models, in package view),
// never database rows or provider types they would have to reshape.
package templates

import "ordercare/web/templates/view"

// decidedNoun follows the navigation's count of new decisions.
func decidedNoun(n int) string {
	if n == 1 {
		return " new decision"
	}
	return " new decisions"
}

func navClass(p view.Page, item string) string {
	if p.Nav == item {
		return "nav-item active"
	}
	return "nav-item"
}

func ariaCurrent(p view.Page, item string) string {
	if p.Nav == item {
		return "page"
	}
	return "false"
}

// SessionEndedText is what a person whose session ended is told, on the
// sign-in page and in the body of an htmx answer.
const SessionEndedText = "Your session ended — sign in again."

// LoginForm is the sign-in page's model.
type LoginForm struct {
	Email string
	Next  string // local path to return to after signing in
	// Error is shown above the form and linked from the fields.
	Error string
	// SSO is the identity provider's name on the single sign-on button
	// (login_sso.templ); empty: no button.
	SSO string
	// Passkeys offers "Sign in with a passkey" (passkey.templ).
	Passkeys bool
	// SessionEnded says the person is here because their session ended;
	// the page script adds that what they typed is kept, when it is.
	SessionEnded bool
	// Demo lists the built-in sandbox's accounts (none against a provider).
	Demo []DemoAccount
}

// DemoAccount is one of the built-in sandbox's staff accounts.
type DemoAccount struct {
	Email string
	Role  string // as the staff page names it: "Agent", "Supervisor", …
}

// ErrorView is an error page's model.
type ErrorView struct {
	Status  int
	Heading string
	Message string
	// RequestID lets support find the server log line.
	RequestID string
}
