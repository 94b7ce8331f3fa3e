package app

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
