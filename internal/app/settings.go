package app

import (
	"fmt"
	"strings"

	"ordercare/internal/config"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// checkSettings checks the settings the config holds as plain text but
// that name the services' own values: the provider and its presets, the
// second-factor policy and the single sign-on's roles. The config is a
// leaf that knows none of them, so the app refuses an unknown one here,
// with the same one line, before anything opens. Empty values are a
// Config built in code: the provider's and the policy's defaults.
func checkSettings(c config.Config) error {
	if c.OMURL != "" && !strings.Contains(c.OMURL, "://") {
		if _, ok := omclient.LookupPreset(c.OMURL); !ok {
			return fmt.Errorf("ORDERCARE_OM_URL: unknown preset %q (known: %s)", c.OMURL, strings.Join(config.PresetNames, ", "))
		}
	}
	switch omclient.Provider(c.OMProvider) {
	case "", omclient.ProviderKustom, omclient.ProviderKlarna:
	default:
		return fmt.Errorf("ORDERCARE_OM_PROVIDER: %q is not kustom or klarna", c.OMProvider)
	}
	if c.MFA != "" {
		if _, err := staff.ParseMFAPolicy(c.MFA); err != nil {
			return fmt.Errorf("ORDERCARE_MFA: %q is not off, optional, required or required-for-money", c.MFA)
		}
	}
	for value, role := range c.OIDC.Roles {
		if !staff.Role(role).Valid() {
			return fmt.Errorf("ORDERCARE_OIDC_ROLES: %q: %q is not agent, supervisor, admin or auditor", value+"="+role, role)
		}
	}
	return nil
}

// oidcRoles is ORDERCARE_OIDC_ROLES as the staff's roles (checked by
// checkSettings).
func oidcRoles(c config.Config) map[string]staff.Role {
	if c.OIDC.Roles == nil {
		return nil
	}
	out := make(map[string]staff.Role, len(c.OIDC.Roles))
	for value, role := range c.OIDC.Roles {
		out[value] = staff.Role(role)
	}
	return out
}
