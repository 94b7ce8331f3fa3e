package staff

import (
	"testing"

	"github.com/alexedwards/argon2id"
)

// TestUnmatchableHashCostsAVerificationAndMatchesNothing: the hash unknown
// accounts are checked against has the store's parameters (so an unknown
// e-mail costs a full argon2id run, like a wrong password) and no password
// matches it.
func TestUnmatchableHashCostsAVerificationAndMatchesNothing(t *testing.T) {
	t.Parallel()
	for _, params := range []*argon2id.Params{DefaultParams, cheap} {
		h, err := unmatchableHash(params)
		if err != nil {
			t.Fatal(err)
		}
		got, salt, key, err := argon2id.DecodeHash(h)
		if err != nil || *got != *params || len(salt) != int(params.SaltLength) || len(key) != int(params.KeyLength) {
			t.Fatalf("hash %q decodes to %+v (%v), want %+v", h, got, err, params)
		}
		for _, pw := range []string{"", "ordercare dummy password", "password"} {
			if ok, err := argon2id.ComparePasswordAndHash(pw, h); ok || err != nil {
				t.Fatalf("%q against the dummy hash: %v %v", pw, ok, err)
			}
		}
		if h2, _ := unmatchableHash(params); h2 == h {
			t.Fatal("two dummy hashes are equal: salt and key are not random")
		}
	}
}
