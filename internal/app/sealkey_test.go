package app

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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
