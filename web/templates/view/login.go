package view

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

// CodeForm is the second step of sign-in: the code from the authenticator
// app or a recovery code.
type CodeForm struct {
	Next  string
	Error string
	// Passkeys: the member has passkeys, which may stand for the code.
	Passkeys bool
}
