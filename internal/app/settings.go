package app

import (
	"fmt"
	"maps"
	"slices"

	"ordercare/internal/approvals"
	"ordercare/internal/config"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// settings are what the app reads from the config's plain text into the
// services' own values (readSettings).
type settings struct {
	policy      approvals.Policy
	bulkAmounts map[string]int64
}

// readSettings reads the settings the config holds as plain text but
// that name the services' own values: the provider, the second-factor
// policy, the single sign-on's roles and the per-currency
// amounts of the approvals and the bulk jobs. The config is a leaf that
// knows none of them, so the app refuses an unknown one here, with the
// same one line, before anything opens. Empty values are a Config built
// in code: the provider's and the policy's defaults.
func readSettings(c config.Config) (settings, error) {
	if err := checkNames(c); err != nil {
		return settings{}, err
	}
	policy, err := ApprovalPolicy(c)
	if err != nil {
		return settings{}, err
	}
	amounts, err := money.ParseAmounts("ORDERCARE_BULK_AGENT_MAX_AMOUNTS", c.Bulk.AgentMaxAmounts)
	if err != nil {
		return settings{}, err
	}
	return settings{policy: policy, bulkAmounts: amounts}, nil
}

// checkNames refuses a provider, second-factor policy or role the
// services do not know. (The config knows the presets' names: a test
// keeps them the client's.)
func checkNames(c config.Config) error {
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
	for _, value := range slices.Sorted(maps.Keys(c.OIDC.Roles)) {
		if role := c.OIDC.Roles[value]; !staff.Role(role).Valid() {
			return fmt.Errorf("ORDERCARE_OIDC_ROLES: %q: %q is not agent, supervisor, admin or auditor", value+"="+role, role)
		}
	}
	return nil
}

// oidcRoles is ORDERCARE_OIDC_ROLES as the staff's roles (checked by
// readSettings).
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
