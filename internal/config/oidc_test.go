package config

import (
	"bytes"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// oidcEnv is a complete single sign-on setup against a real payment
// provider, which the cases below spoil one setting at a time.
func oidcEnv() map[string]string {
	return map[string]string{
		"ORDERCARE_OM_URL": "https://api.kustom.co", "ORDERCARE_OM_USER": "u", "ORDERCARE_OM_PASSWORD": "p",
		"ORDERCARE_OIDC_ISSUER":        "https://login.example.com/realms/staff",
		"ORDERCARE_OIDC_CLIENT_ID":     "ordercare",
		"ORDERCARE_OIDC_CLIENT_SECRET": "s3cret",
		"ORDERCARE_PUBLIC_URL":         "https://ordercare.example.com",
		"ORDERCARE_OIDC_ROLES":         "ordercare-agents=agent, ordercare-supervisors=supervisor,ordercare-audit=auditor",
		"ORDERCARE_OIDC_MFA_AMR":       "mfa,hwk, otp",
	}
}

func TestOIDCSettings(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(oidcEnv()), &out)
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	if !o.Enabled() || o.RoleClaim != "groups" || !slices.Equal(o.Scopes, []string{"openid", "email", "profile"}) ||
		!slices.Equal(o.MFAAMR, []string{"mfa", "hwk", "otp"}) || len(o.Roles) != 3 || o.Roles["ordercare-supervisors"] != "supervisor" {
		t.Fatalf("parsed %+v", o)
	}
	if o.ProviderName() != "login.example.com" || o.ClientSecret != "s3cret" {
		t.Fatalf("provider %q, %+v", o.ProviderName(), o)
	}
	if got := c.OIDCRedirectURL(); got != "https://ordercare.example.com/login/sso/callback" {
		t.Fatalf("callback URL %q", got)
	}

	// Off by default, and in sandbox mode the callback may be derived.
	c, err = Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil || c.OIDC.Enabled() {
		t.Fatalf("default: %+v %v", c.OIDC, err)
	}
	sandbox := oidcEnv()
	for _, k := range []string{"ORDERCARE_OM_URL", "ORDERCARE_OM_USER", "ORDERCARE_OM_PASSWORD", "ORDERCARE_PUBLIC_URL"} {
		delete(sandbox, k)
	}
	sandbox["ORDERCARE_OIDC_ISSUER"] = "http://127.0.0.1:5556"
	if c, err := Parse("admin", []string{"-db", db}, env(sandbox), &out); err != nil || c.OIDCRedirectURL() != "" {
		t.Fatalf("sandbox with a loopback provider: %q %v", c.OIDCRedirectURL(), err)
	}

	// Group names that are LDAP DNs hold commas and equals signs.
	dn := oidcEnv()
	dn["ORDERCARE_OIDC_ROLES"] = "cn=agents,ou=groups,dc=example=agent; cn=sups,ou=groups,dc=example=supervisor"
	c, err = Parse("admin", []string{"-db", db}, env(dn), &out)
	if err != nil || c.OIDC.Roles["cn=agents,ou=groups,dc=example"] != "agent" || len(c.OIDC.Roles) != 2 {
		t.Fatalf("DN groups: %v %v", c.OIDC.Roles, err)
	}
}

func TestOIDCBadSettingsStopStartUpWithOneLine(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	for _, tc := range []struct {
		set  map[string]string
		want string
	}{
		{map[string]string{"ORDERCARE_OIDC_ISSUER": "http://login.example.com"}, "ORDERCARE_OIDC_ISSUER"},
		{map[string]string{"ORDERCARE_OIDC_ISSUER": "login.example.com"}, "ORDERCARE_OIDC_ISSUER"},
		{map[string]string{"ORDERCARE_OIDC_ISSUER": "https://u:p@login.example.com"}, "ORDERCARE_OIDC_ISSUER"},
		{map[string]string{"ORDERCARE_OIDC_CLIENT_SECRET": ""}, "ORDERCARE_OIDC_CLIENT_SECRET"},
		{map[string]string{"ORDERCARE_OIDC_CLIENT_ID": ""}, "ORDERCARE_OIDC_CLIENT_ID"},
		{map[string]string{"ORDERCARE_PUBLIC_URL": ""}, "ORDERCARE_PUBLIC_URL is required with ORDERCARE_OIDC_ISSUER"},
		{map[string]string{"ORDERCARE_PUBLIC_URL": "http://ordercare.example.com"}, "must be https for single sign-on"},
		{map[string]string{"ORDERCARE_OIDC_ROLES": ""}, "ORDERCARE_OIDC_ROLES is required"},
		{map[string]string{"ORDERCARE_OIDC_ROLES": "ordercare-agents"}, "is not value=role"},
		{map[string]string{"ORDERCARE_OIDC_ROLES": "g=agent,g=admin"}, "mapped to both"},
		{map[string]string{"ORDERCARE_OIDC_SCOPES": "email groups"}, "lacks openid"},
		{map[string]string{"ORDERCARE_OIDC_ROLE_CLAIM": " "}, "ORDERCARE_OIDC_ROLE_CLAIM"},
		// Settings of a provider without its issuer are a mistake, not ignored.
		{map[string]string{"ORDERCARE_OIDC_ISSUER": ""}, "ORDERCARE_OIDC_ISSUER is not"},
	} {
		e := oidcEnv()
		maps.Copy(e, tc.set)
		var out bytes.Buffer
		_, err := Parse("admin", []string{"-db", db}, env(e), &out)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want one line with %q", tc.set, err, tc.want)
		}
	}
}
