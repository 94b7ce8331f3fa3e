package staff

import (
	"errors"
	"testing"

	"ordercare/internal/db/dbtest"
)

const testIssuer = "https://login.example.com"

func ext(subject, email string, role Role) External {
	return External{Issuer: testIssuer, Subject: subject, Email: email, Role: role}
}

func TestSignInExternal(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testSignInExternal)
}

func testSignInExternal(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	admin, err := s.Add(ctx, "boss@example.com", RoleAdmin, "admin password")
	if err != nil {
		t.Fatal(err)
	}

	// Just in time: a new member with the provider's role and no password
	// that anyone could type.
	got, err := s.SignInExternal(ctx, ext("s-1", "New.Agent@Example.com", RoleAgent))
	if err != nil || !got.Created || !got.Linked || got.OldRole != "" || got.Member.Email != "new.agent@example.com" || got.Member.Role != RoleAgent {
		t.Fatalf("first sign-in: %+v %v", got, err)
	}
	if _, err := s.Authenticate(ctx, "new.agent@example.com", "", "192.0.2.1"); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("password sign-in of a provider's member: %v", err)
	}
	id := got.Member.ID

	// The provider's role replaces the old one at the next sign-in, and
	// the change is reported.
	got, err = s.SignInExternal(ctx, ext("s-1", "NEW.AGENT@example.COM", RoleSupervisor))
	if err != nil || got.Created || got.Linked || got.Member.ID != id || got.OldRole != RoleAgent || got.Member.Role != RoleSupervisor {
		t.Fatalf("second sign-in: %+v %v", got, err)
	}
	if m, _ := s.Get(ctx, id); m.Role != RoleSupervisor || m.LastSignInAt.IsZero() {
		t.Fatalf("stored %+v", m)
	}

	// Once linked, the provider's account is the member whatever address
	// it carries later; another account there with the member's address
	// (an address handed on to someone else) is refused.
	if got, err := s.SignInExternal(ctx, ext("s-1", "renamed@example.com", RoleSupervisor)); err != nil || got.Member.ID != id || got.Created {
		t.Fatalf("renamed at the provider: %+v %v", got, err)
	}
	if _, err := s.SignInExternal(ctx, ext("s-other", "new.agent@example.com", RoleAdmin)); !errors.Is(err, ErrOtherSubject) {
		t.Fatalf("another account with the member's address: %v", err)
	}
	// The same subject at another provider is another account.
	if _, err := s.SignInExternal(ctx, External{Issuer: "https://other.example.com", Subject: "s-1", Email: "new.agent@example.com", Role: RoleSupervisor}); err != nil {
		t.Fatalf("first sign-in at a second provider: %v", err)
	}

	// Disabled here: out, whatever the provider says, and the role stays.
	if err := s.Disable(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignInExternal(ctx, ext("s-1", "new.agent@example.com", RoleAdmin)); !errors.Is(err, ErrMemberDisabled) {
		t.Fatalf("disabled: %v", err)
	}
	if m, _ := s.Get(ctx, id); m.Role != RoleSupervisor {
		t.Fatalf("a disabled member's role changed to %s", m.Role)
	}

	// A look-alike of an existing member ("0" for "o"), a mix of scripts,
	// invisible characters and a non-address are not created.
	var le *LookalikeError
	if _, err := s.SignInExternal(ctx, ext("s-2", "b0ss@example.com", RoleAgent)); !errors.As(err, &le) || le.Existing != "boss@example.com" {
		t.Fatalf("look-alike: %v", err)
	}
	if _, err := s.SignInExternal(ctx, ext("s-3", "bоss@example.org", RoleAgent)); !errors.Is(err, ErrEmailScripts) {
		t.Fatalf("mixed scripts: %v", err)
	}
	if _, err := s.SignInExternal(ctx, ext("s-4", "ann\u200b@example.com", RoleAgent)); !errors.Is(err, ErrEmailInvisible) {
		t.Fatalf("invisible character: %v", err)
	}
	if _, err := s.SignInExternal(ctx, ext("s-5", "not an address", RoleAgent)); !errors.Is(err, ErrBadEmail) {
		t.Fatalf("bad address: %v", err)
	}

	// The last active admin keeps the role: the provider cannot leave the
	// back office without one.
	if _, err := s.SignInExternal(ctx, ext("s-boss", "boss@example.com", RoleAgent)); !errors.Is(err, ErrLastAdmin) {
		t.Fatalf("last admin demoted: %v", err)
	}
	if m, _ := s.Get(ctx, admin.ID); m.Role != RoleAdmin {
		t.Fatalf("last admin's role %s", m.Role)
	}
}
