package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ordercare/internal/app"
	"ordercare/internal/config"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// The settings that name the services' values, or amounts in their
// currencies, are plain text in the config; an unknown one stops start-up
// with one line before anything opens, as it did when the config read
// them.
func TestSettingsNamingServicesStopStartUpWithOneLine(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	oidc := map[string]string{
		"ORDERCARE_OM_URL": "https://api.kustom.co", "ORDERCARE_OM_USER": "u", "ORDERCARE_OM_PASSWORD": "p",
		"ORDERCARE_OIDC_ISSUER": "https://login.example.com/realms/staff", "ORDERCARE_OIDC_CLIENT_ID": "ordercare",
		"ORDERCARE_OIDC_CLIENT_SECRET": "s3cret", "ORDERCARE_PUBLIC_URL": "https://ordercare.example.com",
		"ORDERCARE_OIDC_ROLES": "ordercare-agents=owner",
	}
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad provider", []string{"-om-provider", "paypal"}, nil, "not kustom or klarna"},
		{"bad policy", []string{"-mfa", "sometimes"}, nil, "ORDERCARE_MFA"},
		{"bad role", nil, oidc, `"owner" is not agent`},
		{"bad threshold", []string{"-approval-thresholds", "EUR:5.00"}, nil, "ORDERCARE_APPROVAL_THRESHOLDS"},
		{"bad daily limit", nil, map[string]string{"ORDERCARE_DAILY_REFUND_LIMITS": "XXX:1"}, "ORDERCARE_DAILY_REFUND_LIMITS"},
		{"bad bulk cap", nil, map[string]string{"ORDERCARE_BULK_AGENT_MAX_AMOUNTS": "EUR:1,EUR:2"}, "ORDERCARE_BULK_AGENT_MAX_AMOUNTS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			c, err := config.Parse("admin", append([]string{"-db", db, "-addr", "127.0.0.1:0"}, tc.args...), getenv(tc.env), &out)
			if err != nil {
				t.Fatalf("the config refused it: %v", err)
			}
			a, err := app.Build(context.Background(), c, app.WithOutput(&out))
			if err == nil {
				_ = a.Close()
				t.Fatalf("want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
}

// The config's plain values agree with the services' own: its default
// second-factor policy and the presets its help lists.
func TestSettingsAgreeWithTheServices(t *testing.T) {
	t.Parallel()
	if config.DefaultMFA != string(staff.DefaultMFAPolicy) {
		t.Fatalf("ORDERCARE_MFA defaults to %q, the staff to %q", config.DefaultMFA, staff.DefaultMFAPolicy)
	}
	var names []string
	for _, p := range omclient.Presets {
		names = append(names, p.Name)
	}
	if !slices.Equal(config.PresetNames, names) {
		t.Fatalf("the config lists presets %v, the client has %v", config.PresetNames, names)
	}
}
