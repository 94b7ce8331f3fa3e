package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUserAddRefusesLookalikes: "admin user add" refuses an address that
// could pass for an existing member's, saying why, and adds nothing.
func TestUserAddRefusesLookalikes(t *testing.T) {
	t.Parallel()
	db := filepath.Join(t.TempDir(), "data", "admin.db")
	vars := map[string]string{"ORDERCARE_DB": db}
	ctx := t.Context()
	e, _, _ := testEnv(vars, strings.NewReader("piped pass phrase\n"))
	if err := run(ctx, []string{"user", "add", "--email", "supervisor@example.com", "--role", "supervisor"}, e); err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]string{
		"supervisor@exаmple.com":       "mixes scripts (Cyrillic and Latin)",
		"super\u200bvisor@example.com": "invisible",
		"supervis0r@example.com":       "looks like that of supervisor@example.com",
	} {
		e, _, _ := testEnv(vars, strings.NewReader("piped pass phrase\n"))
		err := run(ctx, []string{"user", "add", "--email", email, "--role", "admin"}, e)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("user add %q: %v, want an error saying %q", email, err, want)
		}
	}
	e, out, _ := testEnv(vars, nil)
	if err := run(ctx, []string{"user", "list"}, e); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "@"); n != 1 {
		t.Fatalf("%d members after refused look-alikes, want 1:\n%s", n, out.String())
	}
}
