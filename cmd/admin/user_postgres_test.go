package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/staff"
)

// With ORDERCARE_DATABASE_URL set, admin user add, list, disable and
// enable work on the PostgreSQL database the instances share (the first
// admin of a fleet is added so) and record their changes in its audit
// log; no SQLite file is made (reset-factor there has a test of its own).
func TestUserCommandsOnPostgreSQL(t *testing.T) {
	t.Parallel()
	pg := dbtest.Postgres(t)
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{config.EnvDatabaseURL: pg.URL, "ORDERCARE_DB": filepath.Join(dir, "admin.db")}
	ctx := t.Context()

	e, out, _ := testEnv(vars, strings.NewReader("piped pass phrase\n"))
	if err := run(ctx, []string{"user", "add", "--email", "first@example.com", "--role", "admin"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "added first@example.com (admin)") {
		t.Fatalf("add output %q", out.String())
	}
	e, _, _ = testEnv(vars, strings.NewReader("another pass phrase\n"))
	if err := run(ctx, []string{"user", "add", "--email", "agent@example.com", "--role", "agent"}, e); err != nil {
		t.Fatal(err)
	}
	e, _, _ = testEnv(vars, nil)
	if err := run(ctx, []string{"user", "disable", "agent@example.com"}, e); err != nil {
		t.Fatal(err)
	}
	e, out, _ = testEnv(vars, nil)
	if err := run(ctx, []string{"user", "list"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "first@example.com") || !strings.Contains(out.String(), "disabled") {
		t.Fatalf("list:\n%s", out.String())
	}

	// In the shared database, where the instances read them.
	st, err := staff.Open(ctx, pg.Open(t), staff.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "first@example.com", "piped pass phrase", "127.0.0.1"); err != nil {
		t.Fatalf("the admin added on PostgreSQL: %v", err)
	}
	l, err := audit.OpenWith(ctx, "", audit.Options{DatabaseURL: pg.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	page, err := l.OtherEvents(ctx, audit.KindStaff, "")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range page.Events {
		got = append(got, ev.Detail["change"]+" "+ev.Detail["target_email"])
	}
	if want := "disable agent@example.com, add agent@example.com, add first@example.com"; strings.Join(got, ", ") != want {
		t.Fatalf("staff events on PostgreSQL: %v, want %s", got, want)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("SQLite files made beside ORDERCARE_DB: %v", entries)
	}
}
