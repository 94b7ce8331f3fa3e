package config

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// OIDCCallbackPath is where the identity provider sends the browser back,
// under ORDERCARE_PUBLIC_URL (OIDCRedirectURL).
const OIDCCallbackPath = "/login/sso/callback"

// Defaults of the single sign-on settings.
const (
	DefaultOIDCScopes    = "openid email profile"
	DefaultOIDCRoleClaim = "groups"
)

// OIDCConfig is single sign-on with an OpenID Connect identity provider;
// off while Issuer is empty. The app builds the sso client from it.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL.
	Issuer string
	// ClientID and ClientSecret are the back office's registration
	// there, whose callback is OIDCRedirectURL.
	ClientID, ClientSecret string
	// Name is the provider's name on the sign-in button (ProviderName).
	Name string
	// Scopes, RoleClaim, Roles and MFAAMR are the settings of the same
	// names of package sso; Roles maps a claim's value to a role's name,
	// which the app reads as the staff's role (and refuses any other).
	Scopes    []string
	RoleClaim string
	Roles     map[string]string
	MFAAMR    []string
}

// Enabled reports whether single sign-on is configured.
func (o OIDCConfig) Enabled() bool { return o.Issuer != "" }

// OIDCRedirectURL is where the identity provider sends the browser back,
// as registered there: ORDERCARE_PUBLIC_URL's /login/sso/callback. Empty
// (sandbox mode without a public URL): derived from each request.
func (c Config) OIDCRedirectURL() string {
	if c.PublicURL == "" {
		return ""
	}
	return c.PublicURL + OIDCCallbackPath
}

// ProviderName is the provider's name on the sign-in button: Name, or
// the issuer's host.
func (o OIDCConfig) ProviderName() string {
	if o.Name != "" {
		return o.Name
	}
	if u, err := url.Parse(o.Issuer); err == nil {
		return u.Hostname()
	}
	return o.Issuer
}

func init() {
	options = append(options,
		option{"oidc-issuer", "ORDERCARE_OIDC_ISSUER", "", "single sign-on: the OpenID Connect provider's issuer URL (https); empty: no single sign-on", func(c *Config, v string) error {
			c.OIDC.Issuer = strings.TrimSpace(v)
			return nil
		}},
		option{"oidc-client-id", "ORDERCARE_OIDC_CLIENT_ID", "", "single sign-on: the client id registered at the provider", func(c *Config, v string) error {
			c.OIDC.ClientID = strings.TrimSpace(v)
			return nil
		}},
		option{"oidc-client-secret", "ORDERCARE_OIDC_CLIENT_SECRET", "", "single sign-on: the client secret (prefer the environment variable)", func(c *Config, v string) error {
			c.OIDC.ClientSecret = v
			return nil
		}},
		option{"oidc-name", "ORDERCARE_OIDC_NAME", "", "single sign-on: the provider's name on the sign-in button; empty: the issuer's host", func(c *Config, v string) error {
			c.OIDC.Name = strings.TrimSpace(v)
			return nil
		}},
		option{"oidc-scopes", "ORDERCARE_OIDC_SCOPES", DefaultOIDCScopes, "single sign-on: the scopes asked for, separated by spaces (add the one that releases the role claim if the provider needs it, such as groups)", setOIDCScopes},
		option{"oidc-role-claim", "ORDERCARE_OIDC_ROLE_CLAIM", DefaultOIDCRoleClaim, "single sign-on: the ID token claim (a string or a list of strings) that ORDERCARE_OIDC_ROLES maps to roles", func(c *Config, v string) error {
			c.OIDC.RoleClaim = strings.TrimSpace(v)
			return nil
		}},
		option{"oidc-roles", "ORDERCARE_OIDC_ROLES", "", "single sign-on: claim value=role pairs, such as ordercare-agents=agent,ordercare-supervisors=supervisor (separate with ; when a value holds a comma); someone with no mapped value is refused", setOIDCRoles},
		option{"oidc-mfa-amr", "ORDERCARE_OIDC_MFA_AMR", "", "single sign-on: amr values (RFC 8176) that make the provider's sign-in count as the second factor, such as mfa,hwk,otp; empty: it never counts", func(c *Config, v string) error {
			c.OIDC.MFAAMR = splitList(v, ",")
			return nil
		}},
	)
}

func splitList(v, sep string) []string {
	var out []string
	for _, s := range strings.Split(v, sep) {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func setOIDCScopes(c *Config, v string) error {
	scopes := strings.Fields(v)
	if !slices.Contains(scopes, "openid") {
		return fmt.Errorf("ORDERCARE_OIDC_SCOPES: %q lacks openid, without which the provider issues no ID token", v)
	}
	c.OIDC.Scopes = scopes
	return nil
}

// setOIDCRoles reads value=role pairs, separated by commas, or by
// semicolons when the value holds one (group names that are LDAP DNs hold
// commas); the role is after the last "=" (DNs hold those too).
func setOIDCRoles(c *Config, v string) error {
	sep := ","
	if strings.Contains(v, ";") {
		sep = ";"
	}
	c.OIDC.Roles = nil
	for _, pair := range splitList(v, sep) {
		i := strings.LastIndex(pair, "=")
		if i <= 0 {
			return fmt.Errorf("ORDERCARE_OIDC_ROLES: %q is not value=role, such as ordercare-agents=agent", pair)
		}
		value, role := strings.TrimSpace(pair[:i]), strings.TrimSpace(pair[i+1:])
		if c.OIDC.Roles == nil {
			c.OIDC.Roles = map[string]string{}
		}
		if old, ok := c.OIDC.Roles[value]; ok && old != role {
			return fmt.Errorf("ORDERCARE_OIDC_ROLES: %q is mapped to both %s and %s", value, old, role)
		}
		c.OIDC.Roles[value] = role
	}
	return nil
}

// validateOIDC checks the single sign-on settings (called by Validate).
func (c Config) validateOIDC() error {
	o := c.OIDC
	if !o.Enabled() {
		for env, v := range map[string]string{"ORDERCARE_OIDC_CLIENT_ID": o.ClientID, "ORDERCARE_OIDC_CLIENT_SECRET": o.ClientSecret} {
			if v != "" {
				return fmt.Errorf("%s is set but ORDERCARE_OIDC_ISSUER is not: set the provider's issuer URL, or unset it", env)
			}
		}
		if len(o.Roles) > 0 {
			return errors.New("ORDERCARE_OIDC_ROLES is set but ORDERCARE_OIDC_ISSUER is not: set the provider's issuer URL, or unset it")
		}
		return nil
	}
	u, err := url.Parse(o.Issuer)
	if err != nil || !secureURL(u) || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("ORDERCARE_OIDC_ISSUER: %q is not an https URL without query or credentials (http only on localhost)", o.Issuer)
	}
	if o.ClientID == "" || o.ClientSecret == "" {
		return errors.New("ORDERCARE_OIDC_CLIENT_ID and ORDERCARE_OIDC_CLIENT_SECRET are required with ORDERCARE_OIDC_ISSUER")
	}
	if c.PublicURL == "" && !c.Sandbox() {
		return errors.New("ORDERCARE_PUBLIC_URL is required with ORDERCARE_OIDC_ISSUER against a real provider: the identity provider sends the browser back to its " + OIDCCallbackPath + ", the callback URL registered there")
	}
	if c.PublicURL != "" {
		if r, err := url.Parse(c.PublicURL); err != nil || !secureURL(r) {
			return fmt.Errorf("ORDERCARE_PUBLIC_URL: %q must be https for single sign-on (http only on localhost): the provider sends the sign-in's code to it", c.PublicURL)
		}
	}
	if o.RoleClaim == "" {
		return errors.New("ORDERCARE_OIDC_ROLE_CLAIM: empty; name the claim that holds the groups, such as groups")
	}
	if len(o.Roles) == 0 {
		return errors.New("ORDERCARE_OIDC_ROLES is required with ORDERCARE_OIDC_ISSUER: map the provider's groups to roles, such as ordercare-agents=agent")
	}
	return nil
}

// secureURL: https, or http to this machine (a provider in a test).
func secureURL(u *url.URL) bool {
	return u.Host != "" && (u.Scheme == "https" || (u.Scheme == "http" && isLoopback(u.Hostname())))
}
