package view

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

// HTMXHeaders is the body's hx-headers value: every htmx request carries
// the CSRF token.
func (p Page) HTMXHeaders() map[string]string {
	return map[string]string{"X-CSRF-Token": p.CSRF}
}

// FullTitle is the page's <title>: the page's own, the product's name, and
// the environment unless it is live.
func (p Page) FullTitle() string {
	t := "ordercare"
	if p.Title != "" {
		t = p.Title + " · ordercare"
	}
	if p.Env.Kind != "" && p.Env.Kind != EnvLive {
		t = "[" + p.Env.Kind + "] " + t
	}
	return t
}
