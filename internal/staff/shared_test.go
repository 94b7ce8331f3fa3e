package staff

import (
	"errors"
	"ordercare/internal/db/dbtest"
	"testing"
	"time"
)

// TestEnsureSharedPassword: the members end with the password, each can
// sign in with it, and a second call with the same password writes
// nothing (one verification, no new hash); a member whose password was
// changed meanwhile gets the shared one back.
func TestEnsureSharedPassword(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testEnsureSharedPassword)
}

func testEnsureSharedPassword(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	var ids []int64
	for i, email := range []string{"agent@example.com", "supervisor@example.com", "admin@example.com"} {
		m, err := s.Add(ctx, email, RoleAgent, "own password "+string(rune('a'+i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	hashes := func() []string {
		var out []string
		for _, id := range ids {
			var h string
			if err := s.db.R.QueryRowContext(ctx, `SELECT password_hash FROM staff_members WHERE id = ?`, id).Scan(&h); err != nil {
				t.Fatal(err)
			}
			out = append(out, h)
		}
		return out
	}
	signsIn := func(step, pw string) {
		t.Helper()
		for _, email := range []string{"agent@example.com", "supervisor@example.com", "admin@example.com"} {
			if _, err := s.Authenticate(ctx, email, pw, "192.0.2.7"); err != nil {
				t.Fatalf("%s: %s cannot sign in with the shared password: %v", step, email, err)
			}
		}
	}
	steps := []struct {
		name   string
		pw     string
		before func()
		wrote  bool
	}{
		{"own passwords become one", "demo password 1", nil, true},
		{"same password again", "demo password 1", nil, false},
		{"another password", "demo password 2", nil, true},
		{"one member changed meanwhile", "demo password 2", func() {
			if err := s.SetPassword(ctx, ids[1], "changed by hand"); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		before := hashes()
		wrote, err := s.EnsureSharedPassword(ctx, ids, st.pw)
		if err != nil || wrote != st.wrote {
			t.Fatalf("%s: wrote %v, %v; want %v", st.name, wrote, err, st.wrote)
		}
		after := hashes()
		if after[0] != after[1] || after[1] != after[2] {
			t.Fatalf("%s: hashes differ afterwards", st.name)
		}
		if !st.wrote && after[0] != before[0] {
			t.Fatalf("%s: a hash changed although nothing was to write", st.name)
		}
		signsIn(st.name, st.pw)
	}
	if _, err := s.EnsureSharedPassword(ctx, []int64{ids[0], 9999}, "demo password 2"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown member: %v", err)
	}
	if _, err := s.EnsureSharedPassword(ctx, ids, "short"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("too short a password: %v", err)
	}
}

// TestAddSharingPassword: a member added with another's password signs in
// with it, shares its stored hash (so EnsureSharedPassword has nothing to
// write and ends nobody's session), and gets its own role; an unknown
// source or a taken e-mail is refused.
func TestAddSharingPassword(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAddSharingPassword)
}

func testAddSharingPassword(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	first, err := s.Add(ctx, "agent@example.com", RoleAgent, "demo password 1")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.AddSharingPassword(ctx, "Supervisor@Example.com", RoleSupervisor, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Role != RoleSupervisor || second.Email != "supervisor@example.com" {
		t.Fatalf("added %+v", second)
	}
	if m, err := s.Authenticate(ctx, "supervisor@example.com", "demo password 1", "192.0.2.7"); err != nil || m.ID != second.ID {
		t.Fatalf("the added member cannot sign in with the shared password: %v", err)
	}
	if wrote, err := s.EnsureSharedPassword(ctx, []int64{first.ID, second.ID}, "demo password 1"); err != nil || wrote {
		t.Fatalf("EnsureSharedPassword after AddSharingPassword: wrote %v, %v; want nothing written", wrote, err)
	}
	if _, err := s.AddSharingPassword(ctx, "admin@example.com", RoleAdmin, 9999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown source member: %v", err)
	}
	if _, err := s.AddSharingPassword(ctx, "agent@example.com", RoleAdmin, first.ID); !errors.Is(err, ErrExists) {
		t.Fatalf("taken e-mail: %v", err)
	}
}

// TestSetSharedPassword: every member gets one new hash of the password
// and signs in with it, their old passwords stop working, and their
// sessions end; an unknown member or a short password is refused.
func TestSetSharedPassword(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testSetSharedPassword)
}

func testSetSharedPassword(t *testing.T, be dbtest.Backend) {
	s, clock, _ := newStore(t, be)
	ctx := t.Context()
	a, err := s.Add(ctx, "agent@example.com", RoleAgent, "old demo password")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AddSharingPassword(ctx, "admin@example.com", RoleAdmin, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := s.SetSharedPassword(ctx, []int64{a.ID, b.ID}, "new demo password"); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"agent@example.com", "admin@example.com"} {
		m, err := s.Authenticate(ctx, email, "new demo password", "192.0.2.7")
		if err != nil {
			t.Fatalf("%s cannot sign in with the new password: %v", email, err)
		}
		if !m.SessionsValidAfter.After(a.SessionsValidAfter) {
			t.Fatalf("%s: sessions not ended (valid after %v)", email, m.SessionsValidAfter)
		}
		if _, err := s.Authenticate(ctx, email, "old demo password", "192.0.2.7"); err == nil {
			t.Fatalf("%s still signs in with the old password", email)
		}
	}
	if wrote, err := s.EnsureSharedPassword(ctx, []int64{a.ID, b.ID}, "new demo password"); err != nil || wrote {
		t.Fatalf("the members do not share one hash afterwards: wrote %v, %v", wrote, err)
	}
	if err := s.SetSharedPassword(ctx, []int64{a.ID, 9999}, "another demo password"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown member: %v", err)
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "new demo password", "192.0.2.7"); err != nil {
		t.Fatalf("a refused SetSharedPassword changed a member's password: %v", err)
	}
	if err := s.SetSharedPassword(ctx, []int64{a.ID}, "short"); !errors.Is(err, ErrBadPassword) {
		t.Fatalf("too short a password: %v", err)
	}
}
