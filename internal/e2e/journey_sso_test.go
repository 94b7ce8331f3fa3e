package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/config"
	"ordercare/internal/oidctest"
	"ordercare/internal/staff"
)

// A supervisor whose company signs them in elsewhere clicks "Sign in with
// Test IdP" on the sign-in page; the identity provider (started by the
// test, approving at once after a sign-in with a security key) sends the
// browser back, and the supervisor, unknown here until now, lands on the
// home page as a supervisor: the role their group at the provider maps to.
// The provider's security key counts as the second factor, so the
// required-for-money policy lets them work at once.
func TestJourneySingleSignOn(t *testing.T) {
	t.Parallel()
	axeScript(t)
	idp := oidctest.Start("ordercare-e2e", "e2e-client-secret")
	t.Cleanup(idp.Close)
	const email = "pat.supervisor@example.com"
	idp.SignInAs(oidctest.User{Subject: "pat", Email: email, EmailVerified: true,
		Groups: []string{"everyone", "ordercare-supervisors"}, AMR: []string{"pwd", "hwk"}})
	srv := startServer(t, func(c *config.Config) {
		c.MFA = string(staff.MFARequiredForMoney)
		c.OIDC = config.OIDCConfig{Issuer: idp.Issuer, ClientID: "ordercare-e2e", ClientSecret: "e2e-client-secret",
			Name: "Test IdP", Scopes: []string{"openid", "email"}, RoleClaim: "groups", MFAAMR: []string{"hwk"},
			Roles: map[string]string{"ordercare-agents": string(staff.RoleAgent), "ordercare-supervisors": string(staff.RoleSupervisor)}}
	})
	b := startBrowser(t, srv)
	pat := b.newPage("pat")
	pat.open("/login")
	if got := pat.text(`[data-testid="sso-button"]`); got != "Sign in with Test IdP" {
		t.Fatalf("single sign-on button %q", got)
	}
	pat.checkAxe("the sign-in page with single sign-on")
	pat.markWindow()
	pat.click(`[data-testid="sso-button"]`)
	pat.waitNewDocument("the page after the identity provider")
	pat.visible(`[data-testid="signed-in-as"]`)
	if got := pat.path(); got != "/" {
		t.Fatalf("after single sign-on the supervisor is on %s, want the home page", got)
	}
	who := pat.text(`[data-testid="signed-in-as"]`)
	if !strings.Contains(who, email) || pat.text(`[data-testid="signed-in-as"] .role`) != "supervisor" {
		t.Fatalf("signed in as %q", who)
	}
	if idp.Tokens() != 1 {
		t.Fatalf("the provider issued %d tokens", idp.Tokens())
	}
}
