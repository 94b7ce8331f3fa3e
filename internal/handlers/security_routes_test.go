package handlers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/handlers"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// Helpers shared by the route-wide security tests (security_test.go,
// routes_access_test.go): every route the server really registers, with
// its path parameters filled in, and raw requests with chosen headers.

// liveRoute is a route as echo registered it, with a concrete URL.
type liveRoute struct {
	Method, Path string // as registered, e.g. /orders/:id/capture
	URL          string // with parameters filled in
	OrderID      string // the order the URL names, if any
}

func (r liveRoute) String() string { return r.Method + " " + r.Path }

var httpMethods = map[string]bool{http.MethodGet: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodHead: true}

// liveRoutes lists every route of a's server (echo's own not-found
// catch-alls left out) with parameters filled in: an authorized order for
// :id, a real capture of a captured order for :capture_id, an id that
// names nothing for other parameters.
func liveRoutes(t *testing.T, a *ordersApp) []liveRoute {
	t.Helper()
	e, err := a.h.Echo()
	if err != nil {
		t.Fatal(err)
	}
	authorized := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusAuthorized })
	captured := a.demoOrder(func(o *omclient.Order) bool { return len(o.Captures) > 0 })
	var out []liveRoute
	for _, r := range e.Routes() {
		if !httpMethods[r.Method] {
			continue
		}
		lr := liveRoute{Method: r.Method, Path: r.Path}
		order := authorized
		if strings.Contains(r.Path, ":capture_id") {
			order = captured
		}
		var segs []string
		for _, s := range strings.Split(r.Path, "/") {
			switch {
			case s == ":id" && strings.HasPrefix(r.Path, "/orders/"):
				s, lr.OrderID = order.OrderID, order.OrderID
			case s == ":capture_id":
				s = order.Captures[0].CaptureID
			case strings.HasPrefix(s, ":"):
				s = "999999"
			case s == "*":
				s = "x"
			}
			segs = append(segs, s)
		}
		lr.URL = strings.Join(segs, "/")
		out = append(out, lr)
	}
	if len(out) == 0 {
		t.Fatal("no routes registered")
	}
	return out
}

// tableRoute finds the row of the routes table behind a live route.
func tableRoute(t *testing.T, h *handlers.Handlers, lr liveRoute) handlers.Route {
	t.Helper()
	for _, r := range h.Routes() {
		if r.Method == lr.Method && r.Path == lr.Path {
			return r
		}
	}
	t.Fatalf("%s is served but is not a row of the routes table", lr)
	return handlers.Route{}
}

// send makes one request with ag's cookies; body may be nil.
func (ag *agent) send(method, path string, body io.Reader, hdr http.Header) answer {
	ag.a.t.Helper()
	req, err := http.NewRequest(method, ag.a.srv.URL+path, body)
	if err != nil {
		ag.a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := ag.Client.Do(req)
	if err != nil {
		ag.a.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(raw))
	if err != nil {
		ag.a.t.Fatal(err)
	}
	return answer{resp: resp, body: string(raw), doc: doc}
}

// csrfToken is the token a page of the layout (or the sign-in page)
// carries for ag.
func (ag *agent) csrfToken() string {
	ag.a.t.Helper()
	for _, p := range []string{"/", "/login"} {
		if tok := ag.get(p, nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", ""); tok != "" {
			return tok
		}
	}
	ag.a.t.Fatal("no page offers a CSRF token")
	return ""
}

// submission is what a browser would post to lr: the fields of the form
// shown at the same URL when there is one (so a request that gets through
// would really change something), the agent's credentials for sign-in.
func (ag *agent) submission(lr liveRoute) url.Values {
	ag.a.t.Helper()
	if lr.Path == "/login" {
		return url.Values{"email": {"agent@example.com"}, "password": {testPassword}}
	}
	v := url.Values{}
	r := ag.get(lr.URL, nil)
	if r.resp.StatusCode == http.StatusOK {
		for k, vs := range formOf(r) {
			v[k] = vs
		}
	}
	v.Del("_csrf")
	return v
}

// signedOutToLogin reports whether r sends a signed-out visitor to sign in.
func signedOutToLogin(r answer) bool {
	loc := r.resp.Header.Get("Location")
	if r.resp.StatusCode == http.StatusSeeOther && (loc == "/login" || strings.HasPrefix(loc, "/login?")) {
		return true
	}
	hx := r.resp.Header.Get("HX-Redirect")
	return r.resp.StatusCode == http.StatusUnauthorized && strings.HasPrefix(hx, "/login")
}

// roleRefused reports whether r is the role check's 403.
func roleRefused(r answer) bool {
	return r.resp.StatusCode == http.StatusForbidden && strings.Contains(r.body, "Your role does not allow this page or action")
}

// roleNames are the roles plus the signed-out visitor, for test names.
var allRoles = append([]staff.Role{""}, staff.Roles...)

func roleName(r staff.Role) string {
	if r == "" {
		return "signed-out"
	}
	return string(r)
}

// as returns a browser signed in with role, or a signed-out one.
func (a *ordersApp) as(role staff.Role) *agent {
	if role == "" {
		return a.anonymous()
	}
	return a.signedIn(role)
}

// newServer serves h on a test server closed with the test; it returns the
// base URL.
func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
