package staff

import (
	"bytes"
	"strings"
	"testing"

	"ordercare/internal/db/dbtest"
)

// On a database several instances share, an instance given another seal
// key than the one the database's second factors are sealed with is
// refused when it opens the store: every member's authenticator and
// recovery codes would fail on it, one sign-in in N.
func TestAnotherSealKeyIsRefusedOnASharedDatabase(t *testing.T) {
	t.Parallel()
	b := dbtest.Postgres(t)
	k1, k2 := bytes.Repeat([]byte{1}, SealKeySize), bytes.Repeat([]byte{2}, SealKeySize)
	if _, err := Open(t.Context(), b.Open(t), Options{Params: cheap, SealKey: k1}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), b.Open(t), Options{Params: cheap, SealKey: k2}); err == nil || !strings.Contains(err.Error(), "seal key") {
		t.Fatalf("an instance with another key: %v, want refused", err)
	}
	if _, err := Open(t.Context(), b.Open(t), Options{Params: cheap, SealKey: k1}); err != nil {
		t.Fatalf("an instance with the same key: %v", err)
	}
	// Commands that never read second factors open with no key at all.
	if _, err := Open(t.Context(), b.Open(t), Options{Params: cheap}); err != nil {
		t.Fatalf("no key: %v", err)
	}
}
