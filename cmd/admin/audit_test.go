package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ordercare/internal/audit"
)

// checkpointedDir makes a data folder whose audit.db holds n events with
// signed checkpoints (key made by `admin audit keygen`).
func checkpointedDir(t *testing.T, n int) (dir string, vars map[string]string) {
	t.Helper()
	dir = t.TempDir()
	vars = map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db")}
	e, out, _ := testEnv(vars, nil)
	if err := run(t.Context(), []string{"audit", "keygen"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "verifier key: ordercare-audit+") {
		t.Fatalf("keygen output %q", out.String())
	}
	if fi, err := os.Stat(filepath.Join(dir, audit.KeyFileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	appendServed(t, dir, n)
	return dir, vars
}

func TestAuditVerifyCheckpoints(t *testing.T) {
	t.Parallel()
	dir, vars := checkpointedDir(t, 35)
	cps := filepath.Join(dir, audit.CheckpointsFileName)
	e, out, _ := testEnv(vars, nil)
	if err := run(t.Context(), []string{"audit", "verify", "--checkpoints", cps}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "audit log ok: 35 events") || !strings.Contains(out.String(), "the latest covers 35 events") {
		t.Fatalf("output %q", out.String())
	}
	// A second keygen never replaces the key.
	e, _, _ = testEnv(vars, nil)
	if err := run(t.Context(), []string{"audit", "keygen"}, e); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second keygen: %v", err)
	}

	// Someone with the file removes the newest events: the chain still
	// verifies on its own, the checkpoints do not.
	d, err := sql.Open("sqlite", filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`DROP TRIGGER events_no_delete`, `DELETE FROM events WHERE seq > 25`} {
		if _, err := d.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	e, _, _ = testEnv(vars, nil)
	if err := run(t.Context(), []string{"audit", "verify", "-chain-only"}, e); err != nil {
		t.Fatalf("the chain alone cannot see a removed tail: %v", err)
	}
	// The default verify reads the checkpoints beside the log.
	e, _, errOut := testEnv(vars, nil)
	if err := run(t.Context(), []string{"audit", "verify"}, e); err == nil || !strings.Contains(errOut.String(), "events were removed") {
		t.Fatalf("default verify of a removed tail: %v / %s", err, errOut.String())
	}
	e, _, errOut = testEnv(vars, nil)
	err = run(t.Context(), []string{"audit", "verify", "-checkpoints", cps}, e)
	if err == nil || !strings.Contains(err.Error(), "does not match its signed checkpoints") || !strings.Contains(errOut.String(), "events were removed") {
		t.Fatalf("removed tail: %v / %s", err, errOut.String())
	}

	// Checked with another key, no checkpoint is trusted.
	other := filepath.Join(t.TempDir(), "other.pub")
	if _, vkey, err := audit.GenerateSigningKey(); err != nil || os.WriteFile(other, []byte(vkey+"\n"), 0o644) != nil {
		t.Fatal(err)
	}
	e, _, errOut = testEnv(vars, nil)
	if err := run(t.Context(), []string{"audit", "verify", "-checkpoints", cps, "-key", other}, e); err == nil || !strings.Contains(errOut.String(), "not signed by the given key") {
		t.Fatalf("wrong key: %v / %s", err, errOut.String())
	}
}
