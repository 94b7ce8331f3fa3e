package config

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestDatabaseURLIsRefusedWhileStoresArePending: no ORDERCARE_DATABASE_URL
// keeps SQLite; a non-postgres URL is refused; a postgres URL is refused
// in one line naming what is not yet on PostgreSQL, never echoing the
// password, by the back office and by the storage commands alike.
func TestDatabaseURLIsRefusedWhileStoresArePending(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil || c.DatabaseURL != "" {
		t.Fatalf("default: %q %v", c.DatabaseURL, err)
	}
	_, err = Parse("admin", []string{"-db", db}, env(map[string]string{EnvDatabaseURL: "mysql://u:p@h/d"}), &out)
	if err == nil || !strings.Contains(err.Error(), "not a postgres:// URL") {
		t.Fatalf("mysql URL: %v", err)
	}
	pg := map[string]string{EnvDatabaseURL: "postgres://ordercare:s3cret-pw@db.internal:5432/ordercare"}
	_, err = Parse("admin", []string{"-db", db}, env(pg), &out)
	if err == nil || strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "s3cret") ||
		!strings.Contains(err.Error(), "does not yet hold the "+strings.Join(PostgresPending, ", ")) || !strings.Contains(err.Error(), "unset it to run on SQLite") {
		t.Fatalf("postgres URL while stores are pending: %v", err)
	}
	if _, err := StoragePath(db, env(pg)); err == nil || !strings.Contains(err.Error(), EnvDatabaseURL) {
		t.Fatalf("storage commands with a postgres URL: %v", err)
	}
}

// TestStaffKey: ORDERCARE_STAFF_KEY is 32 bytes in hex, and never echoed.
func TestStaffKey(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	key := strings.Repeat("ab", 32)
	c, err := Parse("admin", []string{"-db", db}, env(map[string]string{EnvStaffKey: key}), &out)
	if err != nil || c.StaffKey != key {
		t.Fatalf("a hex key: %q %v", c.StaffKey, err)
	}
	for _, bad := range []string{"abab", strings.Repeat("zz", 32), strings.Repeat("ab", 33)} {
		_, err := Parse("admin", []string{"-db", db}, env(map[string]string{EnvStaffKey: bad}), &out)
		if err == nil || !strings.Contains(err.Error(), EnvStaffKey) || strings.Contains(err.Error(), bad) {
			t.Fatalf("key %q: %v", bad, err)
		}
	}
}
