package main

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/staff"
)

// TestUserResetFactorTakesTwoAdmins: the command line is no admin of its
// own. The admin named by --as proves themselves with password and code;
// the first admin's step asks, a second admin's step removes the member's
// second factor; a member who is not an admin, an admin without a second
// factor and a wrong code are refused, and nothing is removed before the
// second admin.
func TestUserResetFactorTakesTwoAdmins(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "admin.db")
	key := make([]byte, staff.SealKeySize)
	_, _ = rand.Read(key)
	if err := os.WriteFile(filepath.Join(dir, "staff.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, path, db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := staff.Open(ctx, d, staff.Options{SealKey: key})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "correct horse battery"
	s := factorStaff{t: t, st: st, pw: pw}
	first, second, member := s.add("first@example.com", staff.RoleAdmin), s.add("second@example.com", staff.RoleAdmin), s.add("member@example.com", staff.RoleAgent)
	firstSecret, memberSecret := s.enrol(first), s.enrol(member)
	vars := map[string]string{"ORDERCARE_DB": path}
	reset := func(as, stdin string) (string, error) { return resetMemberFactor(ctx, vars, as, stdin) }
	hasFactor := func() bool { return s.hasFactor(member) }

	for _, tc := range []struct{ as, stdin, want string }{
		{"first@example.com", pw + "\n", "password and a current code on stdin"},
		{"first@example.com", "wrong password\n000000\n", "wrong e-mail or password"},
		{"first@example.com", pw + "\n" + wrongCode(firstSecret) + "\n", "wrong or already used code"},
		{"member@example.com", pw + "\n" + nextCode(memberSecret) + "\n", "is not an admin"},
		{"second@example.com", pw + "\n000000\n", "has no second factor"},
	} {
		if _, err := reset(tc.as, tc.stdin); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("as %s: %v, want %q", tc.as, err, tc.want)
		}
	}
	if !hasFactor() {
		t.Fatal("a refused step removed the factor")
	}

	out, err := reset("first@example.com", pw+"\n"+nextCode(firstSecret)+"\n")
	if err != nil || !strings.Contains(out, "another admin must approve it") || !hasFactor() {
		t.Fatalf("first admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}
	secondSecret := s.enrol(second)
	out, err = reset("second@example.com", pw+"\n"+nextCode(secondSecret)+"\n")
	if err != nil || !strings.Contains(out, "removed the second factor of member@example.com") || hasFactor() {
		t.Fatalf("second admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}

	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	want := "signin_failed::first@example.com,second_factor:failed:first@example.com,second_factor:reset_requested:first@example.com,second_factor:removed:second@example.com"
	if got := auditSteps(t, l); got != want {
		t.Fatalf("audit events\n%s\nwant\n%s", got, want)
	}
}

// factorStaff is the staff of a reset-factor test: their store, and the
// password they all share.
type factorStaff struct {
	t  *testing.T
	st *staff.Store
	pw string
}

// add adds a member with the shared password.
func (s factorStaff) add(email string, role staff.Role) *staff.Member {
	s.t.Helper()
	m, err := s.st.Add(s.t.Context(), email, role, s.pw)
	if err != nil {
		s.t.Fatal(err)
	}
	return m
}

// enrol gives m a second factor, confirmed with a current code, and
// returns its secret.
func (s factorStaff) enrol(m *staff.Member) string {
	s.t.Helper()
	ctx := s.t.Context()
	en, err := s.st.BeginTOTP(ctx, m, "ordercare")
	if err != nil {
		s.t.Fatal(err)
	}
	code, _ := totp.GenerateCode(en.Secret, time.Now())
	if _, err := s.st.ConfirmTOTP(ctx, m, code, "192.0.2.1"); err != nil {
		s.t.Fatal(err)
	}
	return en.Secret
}

// hasFactor says whether m has a second factor.
func (s factorStaff) hasFactor(m *staff.Member) bool {
	s.t.Helper()
	has, err := s.st.HasTOTP(s.t.Context(), m.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return has
}

// nextCode is secret's code for the next 30-second step: one no code
// used now has taken.
func nextCode(secret string) string {
	c, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	return c
}

// resetMemberFactor runs admin user reset-factor on member@example.com
// as the admin as, with stdin (the admin's password and code) and the
// settings vars; it returns what the command printed, and its error.
func resetMemberFactor(ctx context.Context, vars map[string]string, as, stdin string) (string, error) {
	e, out, _ := testEnv(vars, strings.NewReader(stdin))
	err := run(ctx, []string{"user", "reset-factor", "--email", "member@example.com", "--as", as}, e)
	return out.String(), err
}

// auditSteps is every event in l, as kind:step:actor's e-mail, joined
// by commas.
func auditSteps(t *testing.T, l *audit.Log) string {
	t.Helper()
	ctx := t.Context()
	n, _, err := l.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for seq := int64(1); seq <= n; seq++ {
		e, err := l.Event(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, string(e.Kind)+":"+e.Detail["step"]+":"+e.Actor.Email)
	}
	return strings.Join(steps, ",")
}

// wrongCode is a code none of the accepted steps gives.
func wrongCode(secret string) string {
	for _, c := range []string{"000000", "111111", "222222"} {
		ok := true
		for _, d := range []time.Duration{-30 * time.Second, 0, 30 * time.Second} {
			if g, _ := totp.GenerateCode(secret, time.Now().Add(d)); g == c {
				ok = false
			}
		}
		if ok {
			return c
		}
	}
	return "333333"
}
