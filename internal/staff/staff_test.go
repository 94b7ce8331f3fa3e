package staff

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
)

// cheap keeps tests fast; production uses DefaultParams.
var cheap = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newStore opens a store on backend b (SQLite or PostgreSQL, dbtest.Each).
func newStore(t *testing.T, b dbtest.Backend) (*Store, *clock, *db.DB) {
	t.Helper()
	d := b.Open(t)
	c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	s, err := Open(t.Context(), d, Options{Now: c.Now, Params: cheap})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, d
}

func TestAddGetListAndRules(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAddGetListAndRules)
}

func testAddGetListAndRules(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	m, err := s.Add(ctx, "  Agent@Example.COM ", RoleAgent, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if m.Email != "agent@example.com" || m.Role != RoleAgent || m.Disabled {
		t.Fatalf("member %+v", m)
	}
	if _, err := s.Add(ctx, "AGENT@example.com", RoleAdmin, "another pass"); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate e-mail (other case): %v", err)
	}
	for _, bad := range []struct {
		email, pw string
		role      Role
		want      error
	}{
		{"not-an-email", "long enough", RoleAgent, ErrBadEmail},
		{"Bob <bob@example.com>", "long enough", RoleAgent, ErrBadEmail},
		{"bob@example.com", "short", RoleAgent, ErrBadPassword},
	} {
		if _, err := s.Add(ctx, bad.email, bad.role, bad.pw); !errors.Is(err, bad.want) {
			t.Errorf("Add(%q, %q): %v, want %v", bad.email, bad.pw, err, bad.want)
		}
	}
	if _, err := s.Add(ctx, "x@example.com", Role("root"), "long enough"); err == nil {
		t.Error("unknown role accepted")
	}
	if _, err := s.Add(ctx, "boss@example.com", RoleAdmin, "long enough"); err != nil {
		t.Fatal(err)
	}
	list, err := s.List(ctx)
	if err != nil || len(list) != 2 || list[0].Email != "agent@example.com" || list[1].Email != "boss@example.com" {
		t.Fatalf("List: %v %+v", err, list)
	}
	got, err := s.GetByEmail(ctx, "BOSS@example.com")
	if err != nil || got.Role != RoleAdmin {
		t.Fatalf("GetByEmail: %v %+v", err, got)
	}
	if _, err := s.Get(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get unknown: %v", err)
	}
	if err := s.SetRole(ctx, m.ID, RoleSupervisor); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, m.ID); got.Role != RoleSupervisor {
		t.Fatalf("SetRole not stored: %+v", got)
	}
}

// EnsurePassword is EnsureSharedPassword for one member: it sets the
// password only when it differs from the stored one (changing it ends the
// member's sessions) and reports whether it changed.
func (s *Store) EnsurePassword(ctx context.Context, id int64, password string) (bool, error) {
	return s.EnsureSharedPassword(ctx, []int64{id}, password)
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAuthenticate)
}

func testAuthenticate(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	ctx := t.Context()
	m, err := s.Add(ctx, "agent@example.com", RoleAgent, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(ctx, "Agent@Example.com", "correct horse", "192.0.2.1")
	if err != nil || got.ID != m.ID || !got.LastSignInAt.Equal(c.Now()) {
		t.Fatalf("good sign-in: %v %+v", err, got)
	}
	_, errWrong := s.Authenticate(ctx, "agent@example.com", "Correct horse", "192.0.2.1")
	_, errUnknownAcc := s.Authenticate(ctx, "nobody@example.com", "correct horse", "192.0.2.1")
	if !errors.Is(errWrong, ErrInvalidCredentials) || !errors.Is(errUnknownAcc, ErrInvalidCredentials) {
		t.Fatalf("want ErrInvalidCredentials for both: %v / %v", errWrong, errUnknownAcc)
	}
	if FailureReason(errWrong) != "wrong_password" || FailureReason(errUnknownAcc) != "unknown_account" {
		t.Fatalf("reasons: %s %s", FailureReason(errWrong), FailureReason(errUnknownAcc))
	}

	// Disabling blocks sign-in with the same answer and voids sessions.
	c.Advance(time.Second)
	if err := s.Disable(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Authenticate(ctx, "agent@example.com", "correct horse", "192.0.2.1")
	if !errors.Is(err, ErrInvalidCredentials) || FailureReason(err) != "disabled" {
		t.Fatalf("disabled sign-in: %v", err)
	}
	d, _ := s.Get(ctx, m.ID)
	if !d.Disabled || !d.SessionsValidAfter.After(got.LastSignInAt) {
		t.Fatalf("disable did not void sessions: %+v", d)
	}
	if err := s.Enable(ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "correct horse", "192.0.2.1"); err != nil {
		t.Fatalf("after enable: %v", err)
	}

	c.Advance(time.Second)
	if changed, err := s.EnsurePassword(ctx, m.ID, "correct horse"); err != nil || changed {
		t.Fatalf("EnsurePassword with the same password: %v %v", changed, err)
	}
	if got, _ := s.Get(ctx, m.ID); got.SessionsValidAfter.After(d.SessionsValidAfter) {
		t.Fatal("EnsurePassword without change ended sessions")
	}
	if changed, err := s.EnsurePassword(ctx, m.ID, "new battery staple"); err != nil || !changed {
		t.Fatalf("EnsurePassword with a new password: %v %v", changed, err)
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "new battery staple", "192.0.2.9"); err != nil {
		t.Fatalf("ensured password: %v", err)
	}
	c.Advance(time.Second)
	if err := s.SetPassword(ctx, m.ID, "new battery staple"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "correct horse", "192.0.2.9"); err == nil {
		t.Fatal("old password still works")
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "new battery staple", "192.0.2.9"); err != nil {
		t.Fatalf("new password: %v", err)
	}
}

func TestAccountLockout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAccountLockout)
}

func testAccountLockout(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	ctx := t.Context()
	if _, err := s.Add(ctx, "agent@example.com", RoleAgent, "correct horse"); err != nil {
		t.Fatal(err)
	}
	// Four failures from different addresses: not yet locked.
	for i := range 4 {
		_, err := s.Authenticate(ctx, "agent@example.com", "wrong", addr(i))
		if !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
		c.Advance(time.Minute)
	}
	// The fifth within 15 minutes locks the account.
	_, err := s.Authenticate(ctx, "agent@example.com", "wrong", addr(5))
	var le *LockedError
	if !errors.As(err, &le) || le.Scope != ScopeAccount || !le.JustLocked {
		t.Fatalf("fifth failure: %v", err)
	}
	if msg := le.Message(c.Now()); msg != "Too many failed sign-ins for this account. Sign-in is locked for 15 minutes; try again later." {
		t.Fatalf("message %q", msg)
	}
	// Locked even with the right password, from anywhere, and it survives
	// a restart (or is seen by another instance on the same database).
	s2, err := Open(ctx, b.Open(t), Options{Now: c.Now, Params: cheap})
	if err != nil {
		t.Fatal(err)
	}
	c.Advance(14 * time.Minute)
	_, err = s2.Authenticate(ctx, "agent@example.com", "correct horse", "198.51.100.7")
	if !errors.As(err, &le) || le.JustLocked || FailureReason(err) != "locked_account" {
		t.Fatalf("right password while locked: %v", err)
	}
	// Another account is unaffected.
	if _, err := s.Add(ctx, "other@example.com", RoleAgent, "correct horse"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "other@example.com", "correct horse", addr(1)); err != nil {
		t.Fatalf("other account: %v", err)
	}
	// After the lock ends the right password works.
	c.Advance(time.Minute + time.Second)
	if _, err := s.Authenticate(ctx, "agent@example.com", "correct horse", addr(1)); err != nil {
		t.Fatalf("after lock: %v", err)
	}
}

func TestFailuresOutsideWindowDoNotLock(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testFailuresOutsideWindowDoNotLock)
}

func testFailuresOutsideWindowDoNotLock(t *testing.T, b dbtest.Backend) {
	s, c, _ := newStore(t, b)
	ctx := t.Context()
	for i := range 10 {
		_, err := s.Authenticate(ctx, "agent@example.com", "wrong", addr(i))
		var le *LockedError
		if errors.As(err, &le) {
			t.Fatalf("locked after %d failures spread over %v", i+1, time.Duration(i)*4*time.Minute)
		}
		c.Advance(4 * time.Minute) // at most 4 failures in any 15 minutes
	}
}

func TestAddressLockout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testAddressLockout)
}

func testAddressLockout(t *testing.T, b dbtest.Backend) {
	s, _, _ := newStore(t, b)
	ctx := t.Context()
	if _, err := s.Add(ctx, "agent@example.com", RoleAgent, "correct horse"); err != nil {
		t.Fatal(err)
	}
	// 20 failures, each for a different e-mail, from one address.
	var err error
	for i := range 20 {
		_, err = s.Authenticate(ctx, "guess"+string(rune('a'+i))+"@example.com", "wrong", "203.0.113.5")
	}
	var le *LockedError
	if !errors.As(err, &le) || le.Scope != ScopeAddress || !le.JustLocked {
		t.Fatalf("20th failure from one address: %v", err)
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "correct horse", "203.0.113.5"); !errors.As(err, &le) || le.Scope != ScopeAddress {
		t.Fatalf("locked address signs in: %v", err)
	}
	if _, err := s.Authenticate(ctx, "agent@example.com", "correct horse", "203.0.113.6"); err != nil {
		t.Fatalf("other address: %v", err)
	}
}

func TestRoleAllows(t *testing.T) {
	t.Parallel()
	cases := []struct {
		r       Role
		min     Role
		auditOK bool
		want    bool
	}{
		{RoleAgent, RoleAgent, false, true},
		{RoleAgent, RoleSupervisor, true, false},
		{RoleSupervisor, RoleAgent, false, true},
		{RoleAdmin, RoleSupervisor, false, true},
		{RoleSupervisor, RoleAdmin, false, false},
		{RoleAuditor, RoleAgent, false, false},
		{RoleAuditor, RoleSupervisor, true, true},
		{RoleAuditor, "", false, true},
		{Role("ghost"), "", true, false},
	}
	for _, tc := range cases {
		if got := tc.r.Allows(tc.min, tc.auditOK); got != tc.want {
			t.Errorf("%s.Allows(%q, %v) = %v", tc.r, tc.min, tc.auditOK, got)
		}
	}
	if _, err := ParseRole("admin"); err != nil {
		t.Error(err)
	}
	if _, err := ParseRole("Admin"); err == nil {
		t.Error("ParseRole accepted Admin")
	}
}

func addr(i int) string { return "192.0.2." + string(rune('0'+i%10)) }
