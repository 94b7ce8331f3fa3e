package handlers_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/handlers"
	"ordercare/internal/staff"
)

// Who may use each route, written out by hand. The routes table declares
// the same thing in its Min/Auditor/Public fields; keeping a second,
// explicit list catches a row declared wrongly (an auditor allowed to post
// a change, an admin page open to agents) and a route added without
// anyone deciding who may use it: TestEveryRouteTimesEveryRole fails for
// any served route missing here.
//
// Classes: "public" (no sign-in), "signed-in" (any member), or the least
// role ("agent", "supervisor", "admin") with "+auditor" when the read-only
// auditor may use it too.
var routeAccess = map[string]string{
	"GET /healthz":  "public",
	"HEAD /healthz": "public",
	"GET /readyz":   "public",
	"HEAD /readyz":  "public",
	// Prometheus metrics: no sign-in, its own bearer token (404 when unset).
	"GET /metrics":  "public",
	"GET /static/*": "public",
	"GET /login":    "public",
	"POST /login":   "public",
	"POST /logout":  "signed-in",

	// The second step of sign-in, and every member's own account page.
	"GET /login/code":                "public",
	"POST /login/code":               "public",
	"GET /account":                   "signed-in",
	"POST /account/totp":             "signed-in",
	"POST /account/totp/confirm":     "signed-in",
	"POST /account/totp/remove":      "signed-in",
	"POST /account/sessions/:id/end": "signed-in",
	"POST /account/password":         "signed-in",
	"POST /account/recovery-codes":   "signed-in",
	// Passkeys: the sign-in's challenge and answer are public like the
	// password form; a member's own passkeys are theirs to manage.
	"POST /login/passkey/options":       "public",
	"POST /login/passkey":               "public",
	"POST /account/passkeys/options":    "signed-in",
	"POST /account/passkeys":            "signed-in",
	"POST /account/passkeys/:id/rename": "signed-in",
	"POST /account/passkeys/:id/remove": "signed-in",
	"POST /account/numbers":             "signed-in",

	// Single sign-on: its start and the identity provider's answer
	// (404 without a provider).
	"GET /login/sso":          "public",
	"GET /login/sso/callback": "public",

	// The shop's order intake: a machine endpoint with its own
	// bearer token, no session.
	"POST /hooks/orders": "public",
	// Outbound event deliveries: admins only.
	"GET /outbox":            "admin",
	"POST /outbox/:id/retry": "admin",

	// Connecting the shop platform: admins only.
	"GET /shop/connect":          "admin",
	"POST /shop/connect":         "admin",
	"GET /shop/connect/callback": "admin",

	// Audit trail: the auditor reads, only supervisors and
	// admins review, check and verify.
	"GET /audit":                         "supervisor+auditor",
	"GET /audit/export.csv":              "supervisor+auditor",
	"GET /audit/events":                  "supervisor+auditor",
	"GET /audit/review":                  "supervisor+auditor",
	"GET /audit/attempts/:id":            "supervisor+auditor",
	"GET /audit/attempts/:id/proof.json": "supervisor+auditor",
	"POST /audit/attempts/:id/review":    "supervisor",
	"POST /audit/attempts/:id/check":     "supervisor",
	"POST /audit/verify":                 "supervisor",
	// "Check now" of an unknown outcome on the order page.
	"POST /orders/:id/attempts/:attempt_id/check": "agent",
	// Staff administration: admins only.
	"GET /staff":                   "admin",
	"POST /staff":                  "admin",
	"POST /staff/:id/role":         "admin",
	"POST /staff/:id/disable":      "admin",
	"POST /staff/:id/enable":       "admin",
	"POST /staff/:id/password":     "admin",
	"POST /staff/:id/unlock":       "admin",
	"POST /staff/:id/factor-reset": "admin",

	"GET /":       "agent+auditor",
	"GET /orders": "agent+auditor",
	// The order list's CSV: whoever may see the list.
	"GET /orders/export.csv": "agent+auditor",
	"GET /orders/:id":        "agent+auditor",
	// Bulk changes from the order list: agents and up, never the auditor.
	"POST /orders/bulk":        "agent",
	"POST /bulk":               "agent",
	"GET /bulk/:id":            "agent",
	"GET /bulk/:id/progress":   "agent",
	"GET /bulk/:id/export.csv": "agent",
	// Internal notes: read by all who read the order, added by agents and
	// up; no route edits or removes one.
	"GET /orders/:id/notes":  "agent+auditor",
	"POST /orders/:id/notes": "agent",
	// The order page's History section, loaded on its own after a change.
	"GET /orders/:id/history": "agent+auditor",
	// The order page's approval panel, loaded on its own after a change.
	"GET /orders/:id/approvals": "agent+auditor",

	// Four-eyes approval: agents read their own requests (the
	// handler's rule), supervisors and admins decide and send again, the
	// requester withdraws (the service's rule).
	"GET /approvals":               "agent+auditor",
	"GET /approvals/:id":           "agent+auditor",
	"GET /approvals/policy":        "agent+auditor",
	"POST /approvals/:id/approve":  "supervisor",
	"POST /approvals/:id/reject":   "supervisor",
	"POST /approvals/:id/resend":   "supervisor",
	"POST /approvals/:id/withdraw": "agent",

	// Order-change forms: agents and up, never the auditor,
	// not even to look at a form.
	"GET /orders/:id/amount":                              "agent",
	"POST /orders/:id/amount":                             "agent",
	"POST /orders/:id/amount/preview":                     "agent",
	"GET /orders/:id/capture":                             "agent",
	"POST /orders/:id/capture":                            "agent",
	"POST /orders/:id/capture/preview":                    "agent",
	"GET /orders/:id/refund":                              "agent",
	"POST /orders/:id/refund":                             "agent",
	"POST /orders/:id/refund/preview":                     "agent",
	"GET /orders/:id/address":                             "agent",
	"POST /orders/:id/address":                            "agent",
	"GET /orders/:id/references":                          "agent",
	"POST /orders/:id/references":                         "agent",
	"GET /orders/:id/shipping-info":                       "agent",
	"POST /orders/:id/shipping-info":                      "agent",
	"GET /orders/:id/cancel":                              "agent",
	"POST /orders/:id/cancel":                             "agent",
	"POST /orders/:id/shop/cancel":                        "agent",
	"POST /orders/:id/shop/fulfil":                        "agent",
	"GET /orders/:id/extend":                              "agent",
	"POST /orders/:id/extend":                             "agent",
	"GET /orders/:id/release":                             "agent",
	"POST /orders/:id/release":                            "agent",
	"GET /orders/:id/acknowledge":                         "agent",
	"POST /orders/:id/acknowledge":                        "agent",
	"GET /orders/:id/captures/:capture_id/shipping-info":  "agent",
	"POST /orders/:id/captures/:capture_id/shipping-info": "agent",
	"GET /orders/:id/captures/:capture_id/send-out":       "agent",
	"POST /orders/:id/captures/:capture_id/send-out":      "agent",
	"GET /orders/:id/captures/:capture_id/due-date":       "agent",
	"POST /orders/:id/captures/:capture_id/due-date":      "agent",
}

// accessClass is the class the routes table declares for r.
func accessClass(r handlers.Route) string {
	switch {
	case r.Public:
		return "public"
	case r.Min == "":
		return "signed-in"
	case r.Auditor:
		return string(r.Min) + "+auditor"
	}
	return string(r.Min)
}

// allowed says whether role (or "" for signed out) may use a route of class.
func allowed(class string, role staff.Role) bool {
	switch class {
	case "public":
		return true
	case "signed-in":
		return role != ""
	}
	if role == "" {
		return false
	}
	minRole, auditor, _ := strings.Cut(class, "+")
	return role.Allows(staff.Role(minRole), auditor == "auditor")
}

// TestRoutesTableMatchesExplicitAccessList: every served route is in the
// explicit list with the class its table row declares.
func TestRoutesTableMatchesExplicitAccessList(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	served := map[string]bool{}
	for _, lr := range liveRoutes(t, a) {
		served[lr.String()] = true
		want, ok := routeAccess[lr.String()]
		if !ok {
			t.Errorf("%s is served but missing from routeAccess: decide who may use it and add it there", lr)
			continue
		}
		if got := accessClass(tableRoute(t, a.h, lr)); got != want {
			t.Errorf("%s: the routes table declares %q, the access list says %q", lr, got, want)
		}
	}
	for k := range routeAccess {
		if !served[k] {
			t.Logf("%s is in the access list but not served (yet)", k)
		}
	}
}

// TestEveryRouteTimesEveryRole requests every served route as every role
// and signed out, and checks the answer against the explicit list:
// signed out -> sign-in redirect (or 401 + HX-Redirect for htmx), a role
// without access -> the role check's 403, a role with access -> the
// handler (whatever it answers, never those two). POSTs carry a valid CSRF
// token so that only the role check can refuse them.
func TestEveryRouteTimesEveryRole(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	routes := liveRoutes(t, a)
	for _, role := range allRoles {
		t.Run(roleName(role), func(t *testing.T) {
			for _, lr := range routes {
				class, ok := routeAccess[lr.String()]
				if !ok {
					t.Errorf("%s: not in routeAccess", lr)
					continue
				}
				// A fresh browser per request: a permitted sign-out must
				// not sign the next request out.
				ag := a.as(role)
				var r answer
				if lr.Method == http.MethodGet {
					r = ag.get(lr.URL, nil)
				} else {
					form := url.Values{"_csrf": {ag.csrfToken()}}
					r = ag.send(lr.Method, lr.URL, strings.NewReader(form.Encode()), nil)
				}
				want := allowed(class, role)
				got := describe(r)
				switch {
				case want && role != "" && lr.String() == "POST /logout":
					// Signing out also ends at /login: tell it from the
					// signed-out redirect by the confirmation it leaves.
					if msg := ag.get("/login", nil).testid("flash").Text(); msg != "You are signed out." {
						t.Errorf("%s as %s: %s and no sign-out confirmation (%q)", lr, roleName(role), got, msg)
					}
				case want && (signedOutToLogin(r) || roleRefused(r)):
					t.Errorf("%s as %s: %s, want the page (class %s)", lr, roleName(role), got, class)
				case !want && role == "" && !signedOutToLogin(r):
					t.Errorf("%s signed out: %s, want a redirect to sign in", lr, got)
				case !want && role != "" && !roleRefused(r):
					t.Errorf("%s as %s: %s, want 403 from the role check (class %s)", lr, roleName(role), got, class)
				}
				if r.resp.StatusCode >= 500 {
					t.Errorf("%s as %s: %s", lr, roleName(role), got)
				}
			}
		})
	}
}

func describe(r answer) string {
	return fmt.Sprintf("status %d Location %q", r.resp.StatusCode, r.resp.Header.Get("Location"))
}
