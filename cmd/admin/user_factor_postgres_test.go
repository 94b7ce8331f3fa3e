package main

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

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
	s := factorStaff{t: t, st: st, pw: pw}
	first, second, member := s.add("first@example.com", staff.RoleAdmin), s.add("second@example.com", staff.RoleAdmin), s.add("member@example.com", staff.RoleAgent)
	firstSecret, secondSecret := s.enrol(first), s.enrol(second)
	s.enrol(member)
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{config.EnvDatabaseURL: pg.URL, "ORDERCARE_DB": filepath.Join(dir, "admin.db")}
	reset := func(as, stdin string) (string, error) { return resetMemberFactor(ctx, vars, as, stdin) }
	hasFactor := func() bool { return s.hasFactor(member) }

	if _, err := reset("first@example.com", pw+"\n"+nextCode(firstSecret)+"\n"); err == nil || !strings.Contains(err.Error(), config.EnvStaffKey) {
		t.Fatalf("without a staff key: %v", err)
	}
	vars[config.EnvStaffKey] = hex.EncodeToString(key)

	if _, err := reset("first@example.com", "wrong password\n000000\n"); err == nil || !strings.Contains(err.Error(), "wrong e-mail or password") {
		t.Fatalf("wrong password: %v", err)
	}
	out, err := reset("first@example.com", pw+"\n"+nextCode(firstSecret)+"\n")
	if err != nil || !strings.Contains(out, "another admin must approve it") || !hasFactor() {
		t.Fatalf("first admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}
	if _, err := reset("first@example.com", pw+"\n"+wrongCode(firstSecret)+"\n"); err == nil || !strings.Contains(err.Error(), "wrong or already used code") {
		t.Fatalf("first admin again, wrong code: %v", err)
	}
	if !hasFactor() {
		t.Fatal("a refused step removed the factor")
	}
	out, err = reset("second@example.com", pw+"\n"+nextCode(secondSecret)+"\n")
	if err != nil || !strings.Contains(out, "removed the second factor of member@example.com") || hasFactor() {
		t.Fatalf("second admin: %q %v (factor kept: %v)", out, err, hasFactor())
	}

	l, err := audit.OpenWith(ctx, "", audit.Options{DatabaseURL: pg.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	want := "signin_failed::first@example.com,second_factor:reset_requested:first@example.com,second_factor:failed:first@example.com,second_factor:removed:second@example.com"
	if got := auditSteps(t, l); got != want {
		t.Fatalf("audit events\n%s\nwant\n%s", got, want)
	}
}
