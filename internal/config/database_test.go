package config

import (
	"bytes"
	"crypto/rand"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// TestDatabaseURL: no ORDERCARE_DATABASE_URL keeps SQLite; a non-postgres
// URL is refused; a postgres URL is accepted by the back office, whose
// stores are all on PostgreSQL now, and still refused by the storage
// commands, which open only SQLite files. No message echoes the password.
func TestDatabaseURL(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	c, err := Parse("admin", []string{"-db", db}, env(nil), &out)
	if err != nil || c.DatabaseURL != "" {
		t.Fatalf("default: %q %v", c.DatabaseURL, err)
	}
	_, err = Parse("admin", []string{"-db", db}, env(map[string]string{EnvDatabaseURL: "mysql://u:p@h/d"}), &out)
	if err == nil || !strings.Contains(err.Error(), "not a postgres:// URL") || strings.Contains(err.Error(), "p@h") {
		t.Fatalf("mysql URL: %v", err)
	}
	const url = "postgres://ordercare:s3cret-pw@db.internal:5432/ordercare"
	pg := map[string]string{EnvDatabaseURL: url}
	provider := map[string]string{"ORDERCARE_OM_URL": "klarna-eu-playground", "ORDERCARE_OM_USER": "u", "ORDERCARE_OM_PASSWORD": "p"}
	c, err = Parse("admin", []string{"-db", db}, env(merge(pg, provider)), &out)
	if err != nil || c.DatabaseURL != url {
		t.Fatalf("postgres URL against a provider: %q %v", c.DatabaseURL, err)
	}
	if strings.Contains(out.String(), "s3cret") {
		t.Fatalf("the password was echoed: %q", out.String())
	}
	// A fleet signs its checkpoints into the shared database with the
	// one key every instance is given, pinned and witnessed as on SQLite.
	skey, vkey, err := note.GenerateKey(rand.Reader, "ordercare-test")
	if err != nil {
		t.Fatal(err)
	}
	audit := map[string]string{"ORDERCARE_AUDIT_SIGNING_KEY": skey, "ORDERCARE_AUDIT_VERIFIER_KEY": vkey,
		"ORDERCARE_AUDIT_WITNESS_URL": "https://witness.example.com"}
	c, err = Parse("admin", []string{"-db", db}, env(merge(merge(pg, provider), audit)), &out)
	if err != nil || c.AuditSigningKey != skey || c.AuditVerifierKey != vkey || c.AuditWitnessURL == "" {
		t.Fatalf("the audit key, pin and witness on PostgreSQL: %v", err)
	}
	if _, err := StoragePath(db, env(pg)); err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), EnvDatabaseURL) {
		t.Fatalf("storage commands with a postgres URL: %v", err)
	}
}

// TestDatabaseURLInSandboxMode: the demo accounts are shared by the
// instances on one database, so their password must be chosen (each
// instance would otherwise make its own and replace the one another
// printed); with it set, sandbox mode on PostgreSQL is accepted.
func TestDatabaseURLInSandboxMode(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "admin.db")
	var out bytes.Buffer
	pg := map[string]string{EnvDatabaseURL: "postgres://ordercare:s3cret-pw@db.internal:5432/ordercare"}
	_, err := Parse("admin", []string{"-db", db}, env(pg), &out)
	if err == nil || !strings.Contains(err.Error(), "ORDERCARE_DEMO_PASSWORD") || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("sandbox mode on PostgreSQL without a demo password: %v", err)
	}
	if _, err := Parse("admin", []string{"-db", db}, env(merge(pg, map[string]string{"ORDERCARE_DEMO_PASSWORD": "a chosen demo password"})), &out); err != nil {
		t.Fatalf("sandbox mode on PostgreSQL with a demo password: %v", err)
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

func merge(a, b map[string]string) map[string]string {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return m
}
