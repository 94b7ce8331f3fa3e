package config

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestMFAPolicySetting(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil || c.MFA != DefaultMFA {
		t.Fatalf("default policy %q, %v", c.MFA, err)
	}
	if c.StaffKeyPath() != filepath.Join(filepath.Dir(db), "staff.key") {
		t.Fatalf("staff key path %s", c.StaffKeyPath())
	}
	for _, p := range []string{"off", "optional", "required", "required-for-money"} {
		c, err := Parse("admin", []string{"-db", db}, env(map[string]string{"ORDERCARE_MFA": p}), &out)
		if err != nil || c.MFA != p {
			t.Fatalf("ORDERCARE_MFA=%s: %q, %v", p, c.MFA, err)
		}
	}
}
