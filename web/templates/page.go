// Package templates holds the back office's templ components. Components
// receive view models (Page and the per-page models), never database rows or
// provider types they would have to reshape.
package templates

// EnvBanner names the environment the back office talks to, shown on every
// page so nobody mistakes a test system for live.
type EnvBanner struct {
	// Label, e.g. "Built-in sandbox", "Kustom playground", "LIVE: Klarna EU".
	Label string
	// Kind is "sandbox", "playground" or "live"; it picks the banner colour.
	Kind string
}

// Banner kinds.
const (
	EnvSandbox    = "sandbox"
	EnvPlayground = "playground"
	EnvLive       = "live"
)

// PageUser is the signed-in member as the layout shows them.
type PageUser struct {
	// Tag tells the page script whose page this is, so a form kept
	// after a session ended is only filled in again for the same member.
	Tag         string
	Email, Role string
}

// Page is what the layout needs on every page.
type Page struct {
	Title string
	Env   EnvBanner
	User  *PageUser // nil when signed out
	// CSRF is the token for forms (hidden input "_csrf") and htmx (header X-CSRF-Token).
	CSRF string
	// Query is the search box's current value.
	Query string
	// Flash is a one-time confirmation message.
	Flash string
	// Nav is the active navigation item: "home", "orders", "audit", "staff", "outbox", "approvals".
	Nav string
	// Approvals shows the Approvals item (four-eyes approval is on, or
	// requests wait); ApprovalsPending is the count of requests waiting
	// for a decision, shown to supervisors and admins when > 0.
	Approvals        bool
	ApprovalsPending int
	// ApprovalsDecided counts the decisions on the member's own requests
	// made since they last looked at their start page (which lists them).
	ApprovalsDecided int
}

// Navigation items.
const (
	NavHome   = "home"
	NavOrders = "orders"
	NavAudit  = "audit"
	NavStaff  = "staff"
	NavOutbox = "outbox"
	// NavApprovals: the four-eyes requests.
	NavApprovals = "approvals"
)

// CanSeeAudit: supervisors, admins and auditors read the audit trail.
func (p Page) CanSeeAudit() bool {
	return p.User != nil && (p.User.Role == "supervisor" || p.User.Role == "admin" || p.User.Role == "auditor")
}

// CanSeeStaff: only admins manage staff accounts.
func (p Page) CanSeeStaff() bool { return p.User != nil && p.User.Role == "admin" }

// htmxHeaders is the body's hx-headers value: every htmx request carries
// the CSRF token.
func (p Page) htmxHeaders() map[string]string {
	return map[string]string{"X-CSRF-Token": p.CSRF}
}

func (p Page) fullTitle() string {
	t := "ordercare"
	if p.Title != "" {
		t = p.Title + " · ordercare"
	}
	if p.Env.Kind != "" && p.Env.Kind != EnvLive {
		t = "[" + p.Env.Kind + "] " + t
	}
	return t
}

// decidedNoun follows the navigation's count of new decisions.
func decidedNoun(n int) string {
	if n == 1 {
		return " new decision"
	}
	return " new decisions"
}

func navClass(p Page, item string) string {
	if p.Nav == item {
		return "nav-item active"
	}
	return "nav-item"
}

func ariaCurrent(p Page, item string) string {
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
