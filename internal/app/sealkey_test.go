package app

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ordercare/internal/config"
	"ordercare/internal/staff"
)

// The seal key is made once, kept private, and read back unchanged at the
// next start (or every authenticator set up would stop working).
func TestStaffSealKeyMadeOnceAndKept(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "staff.key")
	first, err := staffSealKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi.Mode(), err)
	}
	again, err := staffSealKey(path)
	if err != nil || !bytes.Equal(first, again) {
		t.Fatalf("the key changed at the second start: %v", err)
	}
	if err := os.WriteFile(path, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := staffSealKey(path); err == nil {
		t.Fatal("a damaged key file was accepted")
	}
}

// The second-factor policy exempts the built-in sandbox's demo accounts,
// and only those: not another member of the sandbox, and nobody at all
// against a real payment provider (where demo accounts do not exist, but
// a member could be given one of their addresses).
func TestOnlyTheSandboxsDemoAccountsAreExempt(t *testing.T) {
	t.Parallel()
	if demoExempt(false) != nil {
		t.Fatal("members exempt outside the sandbox")
	}
	exempt := demoExempt(true)
	for _, d := range DemoAccounts {
		if !exempt(&staff.Member{Email: d.Email, Role: d.Role}) {
			t.Fatalf("demo account %s not exempt in the sandbox", d.Email)
		}
	}
	if exempt(&staff.Member{Email: "sam@example.com", Role: staff.RoleSupervisor}) {
		t.Fatal("a member added to the sandbox is exempt")
	}
}

// ORDERCARE_STAFF_KEY, when set, is the key on every instance (no file is
// read or made); on PostgreSQL without it a staff.key copied to the
// instance is used, and none is ever made there: each instance would make
// its own, and a second factor set up on one would not open on another.
func TestStaffKeySharedByTheFleet(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := config.Config{DBPath: filepath.Join(dir, "admin.db"), StaffKey: strings.Repeat("07", staff.SealKeySize)}
	key, err := staffKey(cfg)
	if err != nil || !bytes.Equal(key, bytes.Repeat([]byte{7}, staff.SealKeySize)) {
		t.Fatalf("ORDERCARE_STAFF_KEY: %x %v", key, err)
	}
	if exists(cfg.StaffKeyPath()) {
		t.Fatal("a staff.key was made although ORDERCARE_STAFF_KEY is set")
	}

	cfg = config.Config{DBPath: filepath.Join(dir, "admin.db"), DatabaseURL: "postgres://ordercare@db.internal/ordercare"}
	if _, err := staffKey(cfg); err == nil || !strings.Contains(err.Error(), config.EnvStaffKey) {
		t.Fatalf("PostgreSQL without a key: %v", err)
	}
	if exists(cfg.StaffKeyPath()) {
		t.Fatal("a staff.key was made for one instance of a fleet")
	}
	copied := bytes.Repeat([]byte{9}, staff.SealKeySize)
	if err := os.WriteFile(cfg.StaffKeyPath(), copied, 0o600); err != nil {
		t.Fatal(err)
	}
	if key, err := staffKey(cfg); err != nil || !bytes.Equal(key, copied) {
		t.Fatalf("PostgreSQL with a copied staff.key: %x %v", key, err)
	}

	// SQLite without the setting: made once, as ever.
	cfg = config.Config{DBPath: filepath.Join(t.TempDir(), "admin.db")}
	if _, err := staffKey(cfg); err != nil || !exists(cfg.StaffKeyPath()) {
		t.Fatalf("SQLite: %v, made %v", err, exists(cfg.StaffKeyPath()))
	}
}
