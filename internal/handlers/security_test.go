package handlers_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// stateCounters is what a state-changing request that got through would
// move: the audit log's head and the changes the sandbox applied to the
// order the route names.
type stateCounters struct {
	events  int64
	applied int
}

func (a *ordersApp) counters(orderID string) stateCounters {
	a.t.Helper()
	n, _, err := a.h.Audit.(*audit.Log).Head(a.t.Context())
	if err != nil {
		a.t.Fatal(err)
	}
	c := stateCounters{events: n}
	if orderID != "" {
		c.applied = a.applied(orderID)
	}
	return c
}

// TestCSRFOnEveryStateChangingRoute: every route that is not a GET refuses
// a request without a token, with a forged token, and, even with a valid
// token, one the browser marks as cross-site or that comes from a foreign
// Origin; none of them reaches the handler (no audit event, no change at
// the sandbox, a sign-in is not performed). The same request with the
// token in the form, or in the X-CSRF-Token header as htmx sends it, gets
// past the check.
func TestCSRFOnEveryStateChangingRoute(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	n := 0
	for _, lr := range liveRoutes(t, a) {
		if lr.Method == http.MethodGet || lr.Method == http.MethodHead {
			continue
		}
		if tableRoute(t, a.h, lr).NoSession {
			// A machine endpoint (no session, so no cookie a forged
			// request could ride on): it authenticates each request by
			// its own token, tested with its handler.
			continue
		}
		n++
		t.Run(lr.String(), func(t *testing.T) {
			ag := a.signedIn(staff.RoleAdmin)
			if lr.Path == "/login" {
				ag = a.anonymous()
			}
			tok := ag.csrfToken()
			form := ag.submission(lr)
			withToken := func(v string) string {
				f := url.Values{}
				for k, vs := range form {
					f[k] = vs
				}
				if v != "" {
					f.Set("_csrf", v)
				}
				return f.Encode()
			}
			refused := []struct {
				name string
				body string
				hdr  http.Header
			}{
				{"no token", withToken(""), nil},
				{"forged token", withToken("forged-" + tok), nil},
				{"token only in a cookie-less header", withToken(""), http.Header{"X-Csrf-Token": {"forged"}}},
				{"cross-site with a valid token", withToken(tok), http.Header{"Sec-Fetch-Site": {"cross-site"}}},
				{"foreign Origin with a valid token", withToken(tok), http.Header{"Origin": {"https://evil.example"}}},
				{"foreign Origin, htmx header token", withToken(""), http.Header{"Origin": {"https://evil.example"}, "X-Csrf-Token": {tok}, "Hx-Request": {"true"}}},
			}
			for _, c := range refused {
				before := a.counters(lr.OrderID)
				r := ag.send(lr.Method, lr.URL, strings.NewReader(c.body), c.hdr)
				if r.resp.StatusCode != http.StatusForbidden && r.resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 403", c.name, r.resp.StatusCode)
				}
				if after := a.counters(lr.OrderID); after != before {
					t.Errorf("%s: the handler ran (audit %d -> %d events, sandbox %d -> %d changes)", c.name,
						before.events, after.events, before.applied, after.applied)
				}
			}
			// A browser's own same-origin form and htmx request pass.
			for _, c := range []struct {
				name string
				body string
				hdr  http.Header
			}{
				{"htmx token header", withToken(""), http.Header{"X-Csrf-Token": {tok}, "Hx-Request": {"true"}, "Sec-Fetch-Site": {"same-origin"}, "Origin": {a.srv.URL}}},
				{"form token, same origin", withToken(tok), http.Header{"Origin": {a.srv.URL}}},
			} {
				if (lr.Path == "/logout" || lr.Path == "/login") && c.name != "form token, same origin" {
					continue // the first pass would sign out or in, which renews the token
				}
				r := ag.send(lr.Method, lr.URL, strings.NewReader(c.body), c.hdr)
				if r.resp.StatusCode == http.StatusForbidden || r.resp.StatusCode == http.StatusBadRequest {
					t.Errorf("%s: refused with %d: %s", c.name, r.resp.StatusCode, strings.TrimSpace(r.doc.Find("main").Text()))
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no state-changing routes found")
	}
}

// TestSecurityHeadersOnEveryGETRoute crawls every GET route signed out and
// as each role: each answer (page, redirect, 403, 404, health, static)
// carries the CSP without inline script or eval and with frame-ancestors
// 'none', nosniff and a Referrer-Policy; pages are not cacheable; HSTS is
// sent when secure cookies are on and only then.
func TestSecurityHeadersOnEveryGETRoute(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	routes := liveRoutes(t, a)
	check := func(t *testing.T, who string, lr liveRoute, h http.Header, wantHSTS bool) {
		t.Helper()
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s %s: CSP %q lacks %q", who, lr, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s %s: CSP allows inline script or eval: %q", who, lr, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: X-Content-Type-Options %q", who, lr, h.Get("X-Content-Type-Options"))
		}
		if h.Get("Referrer-Policy") == "" {
			t.Errorf("%s %s: no Referrer-Policy", who, lr)
		}
		if got := h.Get("Strict-Transport-Security") != ""; got != wantHSTS {
			t.Errorf("%s %s: HSTS %q, want it %v", who, lr, h.Get("Strict-Transport-Security"), wantHSTS)
		}
		if lr.Path != "/static/*" && !strings.Contains(h.Get("Cache-Control"), "no-store") {
			t.Errorf("%s %s: Cache-Control %q, pages must not be stored", who, lr, h.Get("Cache-Control"))
		}
	}
	for _, role := range allRoles {
		ag := a.as(role)
		for _, lr := range routes {
			if lr.Method != http.MethodGet {
				continue
			}
			r := ag.get(lr.URL, nil)
			check(t, roleName(role), lr, r.resp.Header, false)
			h := ag.get(lr.URL, http.Header{"Hx-Request": {"true"}})
			check(t, roleName(role)+" (htmx)", lr, h.resp.Header, false)
		}
	}
	// With secure cookies on, every answer also carries HSTS. (Signed out:
	// the Secure session cookie does not travel over this plain-HTTP test
	// server.)
	secure := *a.h
	secure.SecureCookies = true
	e, err := secure.Echo()
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	srv := newServer(t, e)
	for _, lr := range routes {
		if lr.Method != http.MethodGet {
			continue
		}
		resp, err := client.Get(srv + lr.URL)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		check(t, "secure, signed-out", lr, resp.Header, true)
	}
}

// TestOversizedBodyRefusedOnEveryPOSTRoute: a body over 1 MiB gets 413 on
// every non-GET route, signed in or not, before the handler or the CSRF
// check parse it (no audit event, no change), whether the size is
// announced (Content-Length) or not (chunked).
func TestOversizedBodyRefusedOnEveryPOSTRoute(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	big := "reason=" + strings.Repeat("x", 1<<20)
	for _, lr := range liveRoutes(t, a) {
		if lr.Method == http.MethodGet || lr.Method == http.MethodHead {
			continue
		}
		for _, role := range []staff.Role{"", staff.RoleAgent} {
			ag := a.as(role)
			tok := ag.csrfToken()
			for _, chunked := range []bool{false, true} {
				before := a.counters(lr.OrderID)
				var body io.Reader = strings.NewReader(big + "&_csrf=" + tok)
				if chunked {
					body = io.MultiReader(body) // hides the length: sent chunked
				}
				r := ag.send(lr.Method, lr.URL, body, http.Header{"X-Csrf-Token": {tok}})
				if r.resp.StatusCode != http.StatusRequestEntityTooLarge {
					t.Errorf("%s as %s (chunked %v): status %d, want 413", lr, roleName(role), chunked, r.resp.StatusCode)
				}
				if after := a.counters(lr.OrderID); after != before {
					t.Errorf("%s as %s: the handler ran on an oversized body", lr, roleName(role))
				}
			}
		}
	}
}
