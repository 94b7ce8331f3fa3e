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
	add := func(email string, role staff.Role) *staff.Member {
		m, err := st.Add(ctx, email, role, pw)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	enrol := func(m *staff.Member) string {
		en, err := st.BeginTOTP(ctx, m, "ordercare")
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(en.Secret, time.Now())
		if _, err := st.ConfirmTOTP(ctx, m, code, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		return en.Secret
	}
	first, second, member := add("first@example.com", staff.RoleAdmin), add("second@example.com", staff.RoleAdmin), add("member@example.com", staff.RoleAgent)
	firstSecret, memberSecret := enrol(first), enrol(member)
	next := func(secret string) string {
		c, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		return c
	}
	vars := map[string]string{"ORDERCARE_DB": path}
	reset := func(as, stdin string) (string, error) {
		e, out, _ := testEnv(vars, strings.NewReader(stdin))
		err := run(ctx, []string{"user", "reset-factor", "--email", "member@example.com", "--as", as}, e)
		return out.String(), err
	}
	hasFactor := func() bool {
		has, err := st.HasTOTP(ctx, member.ID)
		if err != nil {
			t.Fatal(err)
		}
		return has
	}

	for _, tc := range []struct{ as, stdin, want string }{
		{"first@example.com", pw + "\n", "password and a current code on stdin"},
		{"first@example.com", "wrong password\n000000\n", "wrong e-mail or password"},
		{"first@example.com", pw + "\n" + wrongCode(firstSecret) + "\n", "wrong or already used code"},
		{"member@example.com", pw + "\n" + next(memberSecret) + "\n", "is not an admin"},
		{"second@example.com", pw + "\n000000\n", "has no second factor"},
	} {
		if _, err := reset(tc.as, tc.stdin); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("as %s: %v, want %q", tc.as, err, tc.want)
		}
	}
	if !hasFactor() {
		t.Fatal("a refused step removed the factor")
	}

	out, err := reset("first@example.com", pw+"\n"+next(firstSecret)+"\n")
	if err != nil || !strings.Contains(out, "another admin must approve it") || !hasFactor() {
		t.Fatalf("first admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}
	secondSecret := enrol(second)
	out, err = reset("second@example.com", pw+"\n"+next(secondSecret)+"\n")
	if err != nil || !strings.Contains(out, "removed the second factor of member@example.com") || hasFactor() {
		t.Fatalf("second admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}

	var steps []string
	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	n, _, err := l.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for seq := int64(1); seq <= n; seq++ {
		e, err := l.Event(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		steps = append(steps, string(e.Kind)+":"+e.Detail["step"]+":"+e.Actor.Email)
	}
	want := "signin_failed::first@example.com,second_factor:failed:first@example.com,second_factor:reset_requested:first@example.com,second_factor:removed:second@example.com"
	if got := strings.Join(steps, ","); got != want {
		t.Fatalf("audit events\n%s\nwant\n%s", got, want)
	}
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
