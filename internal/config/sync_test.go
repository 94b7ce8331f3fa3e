package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The intake and outbound settings: defaults, and the mistakes an operator
// makes (a half-configured outbound, a short secret, a rate of "fast").
func TestSyncSettings(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.ImportRate != DefaultImportRate || c.RefreshRate != DefaultRefreshRate || c.HookToken != "" || c.Outbound() {
		t.Fatalf("defaults: %+v", c)
	}
	secret := strings.Repeat("s", MinSecretLen)
	c, err = Parse("admin", []string{"-db", db}, env(map[string]string{
		"ORDERCARE_HOOK_TOKEN": secret, "ORDERCARE_IMPORT_RATE": "5", "ORDERCARE_REFRESH_RATE": "0",
		"ORDERCARE_OUTBOUND_URL": "https://shop.example/hooks/ordercare", "ORDERCARE_OUTBOUND_SECRET": secret,
	}), &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.HookToken != secret || c.ImportRate != 5 || c.RefreshRate != 0 || !c.Outbound() {
		t.Fatalf("env not applied: %+v", c)
	}

	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"short token", map[string]string{"ORDERCARE_HOOK_TOKEN": "abc"}, "ORDERCARE_HOOK_TOKEN"},
		{"rate not a number", map[string]string{"ORDERCARE_IMPORT_RATE": "fast"}, "ORDERCARE_IMPORT_RATE"},
		{"import rate zero", map[string]string{"ORDERCARE_IMPORT_RATE": "0"}, "ORDERCARE_IMPORT_RATE"},
		{"refresh rate negative", map[string]string{"ORDERCARE_REFRESH_RATE": "-1"}, "ORDERCARE_REFRESH_RATE"},
		{"url without secret", map[string]string{"ORDERCARE_OUTBOUND_URL": "https://shop.example/h"}, "set both or neither"},
		{"secret without url", map[string]string{"ORDERCARE_OUTBOUND_SECRET": secret}, "set both or neither"},
		{"short secret", map[string]string{"ORDERCARE_OUTBOUND_URL": "https://shop.example/h", "ORDERCARE_OUTBOUND_SECRET": "short"}, "ORDERCARE_OUTBOUND_SECRET"},
		{"bad url", map[string]string{"ORDERCARE_OUTBOUND_URL": "shop.example", "ORDERCARE_OUTBOUND_SECRET": secret}, "not an http(s) URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, err := Parse("admin", []string{"-db", db}, env(tc.env), &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
