package staff

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/go-webauthn/webauthn/webauthn"

	"ordercare/internal/db/dbtest"
)

// credential is a verified credential as the library hands it over; the
// store keeps it as it is and reads the counter.
func credential(id string, count uint32) *webauthn.Credential {
	return &webauthn.Credential{ID: []byte(id), PublicKey: []byte("public key of " + id),
		Authenticator: webauthn.Authenticator{SignCount: count}}
}

func TestPasskeyUserHandleIsRandomAndStable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testPasskeyUserHandleIsRandomAndStable)
}

func testPasskeyUserHandleIsRandomAndStable(t *testing.T, be dbtest.Backend) {
	s, _, _ := newStore(t, be)
	ctx := t.Context()
	a, _ := s.Add(ctx, "a@example.com", RoleAgent, "correct horse")
	b, _ := s.Add(ctx, "b@example.com", RoleAgent, "correct horse")
	ua, err := s.PasskeyUser(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	ua2, _ := s.PasskeyUser(ctx, a)
	ub, _ := s.PasskeyUser(ctx, b)
	if len(ua.WebAuthnID()) != passkeyHandleLen || !bytes.Equal(ua.WebAuthnID(), ua2.WebAuthnID()) || bytes.Equal(ua.WebAuthnID(), ub.WebAuthnID()) {
		t.Fatalf("handles %x %x %x", ua.WebAuthnID(), ua2.WebAuthnID(), ub.WebAuthnID())
	}
	if bytes.Contains(ua.WebAuthnID(), []byte("a@example")) || ua.WebAuthnName() != "a@example.com" {
		t.Fatal("the handle carries the e-mail, or the name is not it")
	}
	got, err := s.PasskeyUserByHandle(ctx, ua.WebAuthnID())
	if err != nil || got.Member.ID != a.ID {
		t.Fatalf("by handle: %v %v", got, err)
	}
	if _, err := s.PasskeyUserByHandle(ctx, []byte("unknown")); !errors.Is(err, ErrNoPasskey) {
		t.Fatalf("unknown handle: %v", err)
	}
	if err := s.Disable(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PasskeyUserByHandle(ctx, ua.WebAuthnID()); !errors.Is(err, ErrNoPasskey) {
		t.Fatalf("disabled member's handle: %v", err)
	}
}

func TestAddPasskeyNamesLimitAndDuplicates(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAddPasskeyNamesLimitAndDuplicates)
}

func testAddPasskeyNamesLimitAndDuplicates(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	m, _ := s.Add(ctx, "a@example.com", RoleAgent, "correct horse")
	other, _ := s.Add(ctx, "b@example.com", RoleAgent, "correct horse")
	for _, bad := range []string{"", "   ", strings.Repeat("é", MaxPasskeyNameLen+1)} {
		if _, err := s.AddPasskey(ctx, m.ID, bad, credential("x", 0)); !errors.Is(err, ErrPasskeyName) {
			t.Fatalf("name %q: %v", bad, err)
		}
	}
	if _, err := s.AddPasskey(ctx, m.ID, strings.Repeat("é", MaxPasskeyNameLen), credential("k0", 0)); err != nil {
		t.Fatalf("name of the greatest length: %v", err)
	}
	if _, err := s.AddPasskey(ctx, other.ID, "theirs", credential("k0", 0)); !errors.Is(err, ErrPasskeyExists) {
		t.Fatalf("the same credential for another member: %v", err)
	}
	for i := 1; i < MaxPasskeys; i++ {
		if _, err := s.AddPasskey(ctx, m.ID, "key", credential("k"+string(rune('a'+i)), 0)); err != nil {
			t.Fatalf("passkey %d: %v", i+1, err)
		}
	}
	if _, err := s.AddPasskey(ctx, m.ID, "one too many", credential("last", 0)); !errors.Is(err, ErrTooManyPasskeys) {
		t.Fatalf("passkey %d: %v", MaxPasskeys+1, err)
	}
	keys, _ := s.Passkeys(ctx, m.ID)
	u, _ := s.PasskeyUser(ctx, m)
	if len(keys) != MaxPasskeys || len(u.WebAuthnCredentials()) != MaxPasskeys || !bytes.Equal(u.WebAuthnCredentials()[0].PublicKey, []byte("public key of k0")) {
		t.Fatalf("%d listed, %d credentials", len(keys), len(u.WebAuthnCredentials()))
	}
}

// Two registrations at once cannot pass the limit together.
func TestAddPasskeyLimitHoldsUnderRace(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAddPasskeyLimitHoldsUnderRace)
}

func testAddPasskeyLimitHoldsUnderRace(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	m, _ := s.Add(ctx, "a@example.com", RoleAgent, "correct horse")
	var wg sync.WaitGroup
	for i := range MaxPasskeys + 5 {
		wg.Go(func() { _, _ = s.AddPasskey(ctx, m.ID, "key", credential("race"+string(rune('a'+i)), 0)) })
	}
	wg.Wait()
	if keys, _ := s.Passkeys(ctx, m.ID); len(keys) != MaxPasskeys {
		t.Fatalf("%d passkeys stored, limit %d", len(keys), MaxPasskeys)
	}
}

func TestUsePasskeyCounterMustMoveForward(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testUsePasskeyCounterMustMoveForward)
}

func testUsePasskeyCounterMustMoveForward(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	ctx := t.Context()
	m, _ := s.Add(ctx, "a@example.com", RoleAgent, "correct horse")
	if _, err := s.AddPasskey(ctx, m.ID, "laptop", credential("k", 3)); err != nil {
		t.Fatal(err)
	}
	if name, err := s.UsePasskey(ctx, m.ID, credential("k", 4)); err != nil || name != "laptop" {
		t.Fatalf("counter 3 -> 4: %q %v", name, err)
	}
	for _, n := range []uint32{4, 2, 0} {
		if _, err := s.UsePasskey(ctx, m.ID, credential("k", n)); !errors.Is(err, ErrPasskeyCounter) {
			t.Fatalf("counter 4 -> %d: %v", n, err)
		}
	}
	cw := credential("k", 9)
	cw.Authenticator.CloneWarning = true
	if _, err := s.UsePasskey(ctx, m.ID, cw); !errors.Is(err, ErrPasskeyCounter) {
		t.Fatalf("the library's clone warning: %v", err)
	}
	keys, _ := s.Passkeys(ctx, m.ID)
	if !keys[0].LastUsedAt.Equal(c.Now().UTC()) {
		t.Fatalf("last used %v", keys[0].LastUsedAt)
	}
	if got, _ := s.Get(ctx, m.ID); !got.LastSignInAt.Equal(c.Now().UTC()) {
		t.Fatalf("last sign-in %v after a passkey", got.LastSignInAt)
	}
	u, _ := s.PasskeyUser(ctx, m)
	if got := u.WebAuthnCredentials()[0].Authenticator.SignCount; got != 4 {
		t.Fatalf("stored counter %d, want 4", got)
	}
	// Another member's sign-in with this credential changes nothing.
	other, _ := s.Add(ctx, "b@example.com", RoleAgent, "correct horse")
	if _, err := s.UsePasskey(ctx, other.ID, credential("k", 10)); !errors.Is(err, ErrPasskeyCounter) {
		t.Fatalf("someone else's credential: %v", err)
	}

	// An authenticator that keeps no counter sends 0 every time.
	if _, err := s.AddPasskey(ctx, m.ID, "no counter", credential("z", 0)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := s.UsePasskey(ctx, m.ID, credential("z", 0)); err != nil {
			t.Fatalf("counter 0 -> 0: %v", err)
		}
	}
}

func TestRenameRemovePasskeyOnlyOwn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testRenameRemovePasskeyOnlyOwn)
}

func testRenameRemovePasskeyOnlyOwn(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	m, _ := s.Add(ctx, "a@example.com", RoleAgent, "correct horse")
	other, _ := s.Add(ctx, "b@example.com", RoleAgent, "correct horse")
	id, _ := s.AddPasskey(ctx, m.ID, "laptop", credential("k", 0))
	if err := s.RenamePasskey(ctx, other.ID, id, "mine now"); !errors.Is(err, ErrNoPasskey) {
		t.Fatalf("rename by another: %v", err)
	}
	if _, err := s.RemovePasskey(ctx, other.ID, id); !errors.Is(err, ErrNoPasskey) {
		t.Fatalf("remove by another: %v", err)
	}
	if err := s.RenamePasskey(ctx, m.ID, id, " "); !errors.Is(err, ErrPasskeyName) {
		t.Fatalf("rename to blank: %v", err)
	}
	if err := s.RenamePasskey(ctx, m.ID, id, "old laptop"); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasSecondFactor(ctx, m.ID); !has {
		t.Fatal("a passkey is not a second factor")
	}
	if name, err := s.RemovePasskey(ctx, m.ID, id); err != nil || name != "old laptop" {
		t.Fatalf("remove: %q %v", name, err)
	}
	if has, _ := s.HasSecondFactor(ctx, m.ID); has {
		t.Fatal("second factor left after removing the only passkey")
	}
}

// A member with only passkeys can have their second factor reset by two
// admins, and the reset removes the passkeys.
func TestFactorResetRemovesPasskeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testFactorResetRemovesPasskeys)
}

func testFactorResetRemovesPasskeys(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	m, _ := s.Add(ctx, "sup@example.com", RoleSupervisor, "correct horse")
	a1, _ := s.Add(ctx, "admin1@example.com", RoleAdmin, "correct horse")
	a2, _ := s.Add(ctx, "admin2@example.com", RoleAdmin, "correct horse")
	if _, err := s.AddPasskey(ctx, m.ID, "key", credential("k", 0)); err != nil {
		t.Fatal(err)
	}
	if with, _ := s.WithSecondFactor(ctx); !with[m.ID] {
		t.Fatal("the staff list does not count the passkey")
	}
	if _, err := s.RequestFactorReset(ctx, m.ID, a1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApproveFactorReset(ctx, m.ID, a2.ID); err != nil {
		t.Fatal(err)
	}
	if has, _ := s.HasPasskey(ctx, m.ID); has {
		t.Fatal("the reset left the passkey")
	}
}
