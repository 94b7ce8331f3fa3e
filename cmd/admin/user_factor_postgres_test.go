package main

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/staff"
)

// With ORDERCARE_DATABASE_URL set, admin user reset-factor works on the
// shared database with the fleet's staff key (ORDERCARE_STAFF_KEY), under
// the same two-admin rule, and records its steps in the fleet's audit log.
// Without a staff key it refuses, as an instance would, rather than make
// one: a key of its own opens no member's second factor.
func TestUserResetFactorOnPostgreSQL(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pg := dbtest.Postgres(t)
	key := make([]byte, staff.SealKeySize)
	_, _ = rand.Read(key)
	st, err := staff.Open(ctx, pg.Open(t), staff.Options{SealKey: key})
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
	firstSecret, secondSecret := enrol(first), enrol(second)
	enrol(member)
	next := func(secret string) string {
		c, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
		return c
	}
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{config.EnvDatabaseURL: pg.URL, "ORDERCARE_DB": filepath.Join(dir, "admin.db")}
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

	if _, err := reset("first@example.com", pw+"\n"+next(firstSecret)+"\n"); err == nil || !strings.Contains(err.Error(), config.EnvStaffKey) {
		t.Fatalf("without a staff key: %v", err)
	}
	vars[config.EnvStaffKey] = hex.EncodeToString(key)

	if _, err := reset("first@example.com", "wrong password\n000000\n"); err == nil || !strings.Contains(err.Error(), "wrong e-mail or password") {
		t.Fatalf("wrong password: %v", err)
	}
	out, err := reset("first@example.com", pw+"\n"+next(firstSecret)+"\n")
	if err != nil || !strings.Contains(out, "another admin must approve it") || !hasFactor() {
		t.Fatalf("first admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}
	if _, err := reset("first@example.com", pw+"\n"+wrongCode(firstSecret)+"\n"); err == nil || !strings.Contains(err.Error(), "wrong or already used code") {
		t.Fatalf("first admin again, wrong code: %v", err)
	}
	if !hasFactor() {
		t.Fatal("a refused step removed the factor")
	}
	out, err = reset("second@example.com", pw+"\n"+next(secondSecret)+"\n")
	if err != nil || !strings.Contains(out, "removed the second factor of member@example.com") || hasFactor() {
		t.Fatalf("second admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}

	l, err := audit.OpenWith(ctx, "", audit.Options{DatabaseURL: pg.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
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
	want := "signin_failed::first@example.com,second_factor:reset_requested:first@example.com,second_factor:failed:first@example.com,second_factor:removed:second@example.com"
	if got := strings.Join(steps, ","); got != want {
		t.Fatalf("audit events\n%s\nwant\n%s", got, want)
	}
}
