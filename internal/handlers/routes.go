package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/staff"
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
}

// Routes is the table of contents of the back office. D2 and later form
// handlers add their rows here.
func (h *Handlers) Routes() []Route {
	return []Route{
		{Name: "healthz", Method: http.MethodGet, Path: "/healthz", Handler: h.healthz, Public: true, NoSession: true},
		{Name: "static", Method: http.MethodGet, Path: "/static/*", Handler: h.static, Public: true, NoSession: true},

		{Name: "login", Method: http.MethodGet, Path: "/login", Handler: h.showLogin, Public: true},
		{Name: "login.submit", Method: http.MethodPost, Path: "/login", Handler: h.signIn, Public: true},
		{Name: "logout", Method: http.MethodPost, Path: "/logout", Handler: h.signOut},

		// Order pages: read-only, so the auditor may use them too.
		{Name: "home", Method: http.MethodGet, Path: "/", Handler: h.home, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.search", Method: http.MethodGet, Path: "/orders", Handler: h.searchOrders, Min: staff.RoleAgent, Auditor: true},
		{Name: "orders.show", Method: http.MethodGet, Path: "/orders/:id", Handler: h.showOrder, Min: staff.RoleAgent, Auditor: true},
	}
}
