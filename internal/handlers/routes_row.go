package handlers

import (
	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// Route is one row of the routes table: every URL the back office answers,
// with who may use it. The role check runs on the server for every request.
type Route struct {
	// Name identifies the route for links (e.Reverse) and tests.
	Name    string
	Method  string
	Path    string
	Handler echo.HandlerFunc
	// Min is the least role that may use the route (agent < supervisor <
	// admin); empty means any signed-in member.
	Min staff.Role
	// Auditor lets the read-only auditor use the route too; only GET routes
	// may set it (an auditor never changes anything).
	Auditor bool
	// Public routes need no sign-in (sign-in page, health, static files).
	Public bool
	// NoSession routes skip sessions and CSRF entirely (health, static).
	NoSession bool
	// BeforeSecondFactor routes may be used by a member whom the MFA
	// policy sends to set up a second factor first (their account page,
	// sign-out); every other route sends them there (mfa.go).
	BeforeSecondFactor bool
}

// orderForm is the route path of an order-level form: /orders/:id/<slug>.
func orderForm(op omclient.Operation) string { return "/orders/:id/" + view.ActionSlug(op) }

// captureForm is the route path of a per-capture form:
// /orders/:id/captures/:capture_id/<slug>.
func captureForm(op omclient.Operation) string {
	return "/orders/:id/captures/:capture_id/" + view.ActionSlug(op)
}
