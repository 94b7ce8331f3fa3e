package sso_test

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"ordercare/internal/oidctest"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
)

const redirect = "https://ordercare.example/login/sso/callback"

func newClient(t *testing.T, amr ...string) (*sso.Client, *oidctest.Provider) {
	t.Helper()
	p := oidctest.Start("ordercare", "client-secret-123")
	t.Cleanup(p.Close)
	c := sso.New(sso.Settings{Issuer: p.Issuer, ClientID: "ordercare", ClientSecret: "client-secret-123", Name: "Test IdP",
		Scopes: []string{"email"}, RoleClaim: "groups", MFAAMR: amr,
		Roles: map[string]staff.Role{"oc-agents": staff.RoleAgent, "oc-sups": staff.RoleSupervisor, "oc-audit": staff.RoleAuditor}})
	return c, p
}

// authorize follows the authorization URL to the provider, which approves
// at once, and returns the callback's query.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" {
		t.Fatalf("authorization URL without PKCE, nonce or state: %s", authURL)
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || back.Path != "/login/sso/callback" {
		t.Fatalf("provider answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return back.Query()
}

func TestFlowReadsTheVerifiedIdentity(t *testing.T) {
	t.Parallel()
	c, p := newClient(t, "mfa", "hwk")
	p.SignInAs(oidctest.User{Subject: "u1", Email: "Ann@Example.com", EmailVerified: true, Groups: []string{"other", "oc-agents", "oc-sups"}, AMR: []string{"pwd", "hwk"}})
	f, authURL, err := c.Start(t.Context(), redirect, "/orders")
	if err != nil {
		t.Fatal(err)
	}
	back := authorize(t, authURL)
	if err := c.CheckState(f, back.Get("state")); err != nil {
		t.Fatal(err)
	}
	id, err := c.Finish(t.Context(), f, back.Get("code"), redirect)
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u1" || id.Email != "Ann@Example.com" || !id.EmailVerified || id.Role != staff.RoleSupervisor || id.Matched != "oc-sups" || !id.ProviderMFA {
		t.Fatalf("identity %+v", id)
	}
	// The code was used: a second exchange is refused by the provider.
	if _, err := c.Finish(t.Context(), f, back.Get("code"), redirect); !errors.Is(err, sso.ErrProvider) {
		t.Fatalf("second exchange of one code: %v", err)
	}
}

func TestFlowRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// spoil changes the flow, the callback or the provider's next token.
		spoil func(p *oidctest.Provider, f *sso.Flow, back url.Values)
		want  error
	}{
		{"state of another sign-in", func(_ *oidctest.Provider, _ *sso.Flow, back url.Values) { back.Set("state", "forged") }, sso.ErrState},
		{"no flow in the session", func(_ *oidctest.Provider, f *sso.Flow, _ url.Values) { *f = sso.Flow{} }, sso.ErrState},
		{"flow older than its lifetime", func(_ *oidctest.Provider, f *sso.Flow, _ url.Values) {
			f.Started = time.Now().Add(-sso.FlowLifetime - time.Minute).Unix()
		}, sso.ErrState},
		{"nonce of another sign-in", func(p *oidctest.Provider, _ *sso.Flow, _ url.Values) {
			p.TamperNext(func(c map[string]any) { c["nonce"] = "someone-elses" })
		}, sso.ErrNonce},
		{"no nonce", func(p *oidctest.Provider, _ *sso.Flow, _ url.Values) {
			p.TamperNext(func(c map[string]any) { delete(c, "nonce") })
		}, sso.ErrNonce},
		{"token for another client", func(p *oidctest.Provider, _ *sso.Flow, _ url.Values) {
			p.TamperNext(func(c map[string]any) { c["aud"] = "another-app" })
		}, sso.ErrToken},
		{"token of another issuer", func(p *oidctest.Provider, _ *sso.Flow, _ url.Values) {
			p.TamperNext(func(c map[string]any) { c["iss"] = "https://evil.example" })
		}, sso.ErrToken},
		{"expired token", func(p *oidctest.Provider, _ *sso.Flow, _ url.Values) {
			p.TamperNext(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })
		}, sso.ErrToken},
		{"PKCE verifier of another sign-in", func(_ *oidctest.Provider, f *sso.Flow, _ url.Values) {
			f.Verifier = "another-verifier-another-verifier-another-verifier"
		}, sso.ErrProvider},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, p := newClient(t)
			p.SignInAs(oidctest.User{Subject: "u1", Email: "ann@example.com", EmailVerified: true, Groups: []string{"oc-agents"}})
			f, authURL, err := c.Start(t.Context(), redirect, "/")
			if err != nil {
				t.Fatal(err)
			}
			back := authorize(t, authURL)
			tc.spoil(p, &f, back)
			err = c.CheckState(f, back.Get("state"))
			if err == nil {
				_, err = c.Finish(t.Context(), f, back.Get("code"), redirect)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestAMRCountsOnlyWhenConfigured(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		configured, sent []string
		want             bool
	}{{nil, []string{"mfa"}, false}, {[]string{"mfa", "otp"}, []string{"pwd", "otp"}, true}, {[]string{"mfa"}, []string{"pwd"}, false}, {[]string{"mfa"}, nil, false}} {
		c, p := newClient(t, tc.configured...)
		p.SignInAs(oidctest.User{Subject: "u", Email: "a@example.com", EmailVerified: true, AMR: tc.sent})
		f, authURL, err := c.Start(t.Context(), redirect, "/")
		if err != nil {
			t.Fatal(err)
		}
		back := authorize(t, authURL)
		id, err := c.Finish(t.Context(), f, back.Get("code"), redirect)
		if err != nil || id.ProviderMFA != tc.want || id.Role != "" {
			t.Fatalf("configured %v sent %v: %+v %v", tc.configured, tc.sent, id, err)
		}
	}
}

func TestMapRole(t *testing.T) {
	t.Parallel()
	roles := map[string]staff.Role{"a": staff.RoleAgent, "s": staff.RoleSupervisor, "ad": staff.RoleAdmin, "au": staff.RoleAuditor}
	for _, tc := range []struct {
		values []string
		want   staff.Role
	}{{nil, ""}, {[]string{"x"}, ""}, {[]string{"au"}, staff.RoleAuditor}, {[]string{"au", "a"}, staff.RoleAgent},
		{[]string{"a", "ad", "s"}, staff.RoleAdmin}, {[]string{"s", "x"}, staff.RoleSupervisor}} {
		if got, _ := sso.MapRole(roles, tc.values); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.values, got, tc.want)
		}
	}
}

func TestFlowEncoding(t *testing.T) {
	t.Parallel()
	f := sso.Flow{State: "s", Nonce: "n", Verifier: "v", Next: "/orders?q=1", Started: 42}
	if g, ok := sso.DecodeFlow(f.Encode()); !ok || g != f {
		t.Fatalf("round trip %+v %v", g, ok)
	}
	for _, bad := range []string{"", "{", `{"s":"x"}`} {
		if _, ok := sso.DecodeFlow(bad); ok {
			t.Errorf("%q decoded", bad)
		}
	}
}
