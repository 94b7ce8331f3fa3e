package handlers_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"

	"github.com/labstack/echo/v4"

	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/handlers"
	"ordercare/internal/proctest"
	"ordercare/internal/session"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// foundation is a running back office (no order pages) with three members
// and a few test-only routes for the role and error paths.
type foundation struct {
	t     *testing.T
	srv   *httptest.Server
	h     *handlers.Handlers
	audit *audit.Log
	logs  *proctest.LockedBuffer
	ids   map[staff.Role]int64
}

type foundationOpts struct {
	secure       bool
	trustedProxy netip.Prefix
	// mfa is the second-factor policy (empty: off); exempt names members
	// it leaves alone.
	mfa    staff.MFAPolicy
	exempt func(*staff.Member) bool
	// sso is single sign-on (sso_test.go); nil: none.
	sso *sso.Client
	// passkeys configures a relying party for testOrigin
	// (passkey_authenticator_test.go).
	passkeys bool
}

func newFoundation(t *testing.T, o foundationOpts) *foundation {
	t.Helper()
	st := openStores(t, nil)
	logs := &proctest.LockedBuffer{}
	h := &handlers.Handlers{
		Log:           slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Env:           view.EnvBanner{Label: "Built-in sandbox", Kind: view.EnvSandbox},
		Sessions:      session.NewManager(st.sessions, o.secure),
		Staff:         st.staff,
		Audit:         st.audit,
		DB:            st.db,
		SecureCookies: o.secure,
		TrustedProxy:  o.trustedProxy,
		MFA:           o.mfa,
		MFAExempt:     o.exempt,
		SSO:           o.sso,
	}
	if o.passkeys {
		var err error
		if h.WebAuthn, err = handlers.RelyingParty(testOrigin); err != nil {
			t.Fatal(err)
		}
	}
	f := &foundation{t: t, h: h, audit: st.audit, logs: logs, ids: st.addMembers(t)}
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "page "+c.Path()) }
	e, err := h.Echo(
		handlers.Route{Name: "test.agent", Method: http.MethodGet, Path: "/test/agent", Handler: ok, Min: staff.RoleAgent, Auditor: true},
		handlers.Route{Name: "test.supervisor", Method: http.MethodGet, Path: "/test/supervisor", Handler: ok, Min: staff.RoleSupervisor, Auditor: true},
		handlers.Route{Name: "test.admin", Method: http.MethodGet, Path: "/test/admin", Handler: ok, Min: staff.RoleAdmin},
		handlers.Route{Name: "test.change", Method: http.MethodPost, Path: "/test/change", Handler: ok, Min: staff.RoleAgent},
		handlers.Route{Name: "test.form", Method: http.MethodGet, Path: "/test/form/:id", Handler: ok, Min: staff.RoleAgent},
		handlers.Route{Name: "test.form.submit", Method: http.MethodPost, Path: "/test/form/:id", Handler: ok, Min: staff.RoleAgent},
		handlers.Route{Name: "test.touch", Method: http.MethodGet, Path: "/test/touch", Public: true, Handler: func(c echo.Context) error {
			h.Sessions.Put(c.Request().Context(), "visited", true)
			return c.String(http.StatusOK, "touched")
		}},
		handlers.Route{Name: "test.fail", Method: http.MethodGet, Path: "/test/fail", Min: staff.RoleAgent, Handler: func(c echo.Context) error {
			h.Sessions.Put(c.Request().Context(), "visited", true)
			return errors.New("db exploded at /var/secret/path")
		}},
		handlers.Route{Name: "test.panic", Method: http.MethodGet, Path: "/test/panic", Public: true, Handler: func(c echo.Context) error {
			panic("kaboom")
		}},
	)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(e)
	t.Cleanup(f.srv.Close)
	return f
}

// browser is a cookie-keeping client that does not follow redirects
// (apptest's), with its foundation.
type browser struct {
	*apptest.Browser
	f *foundation
}

func (f *foundation) browser() *browser {
	b := apptest.NewBrowser(f.srv.URL, 0)
	b.Header = http.Header{}
	return &browser{Browser: b, f: f}
}

// page is one answer, as the order tests' answer.
type page = answer

func (b *browser) do(method, path string, form url.Values, hdr http.Header) page {
	b.f.t.Helper()
	return answerOf(b.MustDo(b.f.t, method, path, form, hdr))
}

func (b *browser) get(path string) page { return b.do(http.MethodGet, path, nil, nil) }

// token harvests the CSRF token from a form on path, like a real browser
// that renders the page first.
func (b *browser) token(path string) string {
	b.f.t.Helper()
	return b.Token(b.f.t, path)
}

// post submits a form with the token harvested from the page at from.
func (b *browser) post(from, path string, form url.Values) page {
	b.f.t.Helper()
	return answerOf(b.Submit(b.f.t, from, path, form))
}

func (b *browser) signIn(email, password, next string) page {
	b.f.t.Helper()
	form := url.Values{"email": {email}, "password": {password}}
	if next != "" {
		form.Set("next", next)
	}
	return b.post("/login", "/login", form)
}

func (b *browser) sessionCookie() string { return b.Cookie(session.CookieName(false)) }
