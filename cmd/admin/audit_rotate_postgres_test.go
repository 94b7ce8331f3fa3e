package main

import (
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/config"
)

// With ORDERCARE_DATABASE_URL set, admin audit rotate-key hands the
// fleet's key over in the checkpoint table, and only with the whole fleet
// stopped: while an instance holds one of its leases it refuses and
// writes nothing. After the hand-over an instance started with the new key
// signs on, and admin audit verify passes with the new key pinned (and
// with the old one, following the hand-over). admin audit keygen prints a
// key pair and writes no file: a fleet's key is configuration.
func TestAuditRotateKeyOnPostgreSQL(t *testing.T) {
	t.Parallel()
	pg, l, skey, vkey, k := fleetLog(t)
	ctx := t.Context()
	serveFleetLog(t, l, k, slices.Repeat([]audit.Event{{Kind: audit.KindStaff, Reason: "served"}}, 25)...)
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{config.EnvDatabaseURL: pg.URL, "ORDERCARE_AUDIT_SIGNING_KEY": skey, "ORDERCARE_AUDIT_VERIFIER_KEY": vkey,
		"ORDERCARE_DB": filepath.Join(dir, "admin.db")}

	d, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	notes := func() int {
		var n int
		if err := d.QueryRowContext(ctx, `SELECT count(*) FROM audit_checkpoints`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := notes()
	// An instance running: it holds its intake lease.
	conn, err := d.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended(current_schema() || ' lease ' || 'intake', 0))`); err != nil {
		t.Fatal(err)
	}
	e, out, errOut := testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "rotate-key"}, e); err == nil || !strings.Contains(err.Error(), "stop every instance") {
		t.Fatalf("rotate-key with an instance running: %v\n%s%s", err, out.String(), errOut.String())
	}
	if n := notes(); n != before {
		t.Fatalf("a refused rotation stored %d notes", n-before)
	}
	// The instance stops: its lease ends.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock(hashtextextended(current_schema() || ' lease ' || 'intake', 0))`); err != nil {
		t.Fatal(err)
	}
	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}

	e, out, errOut = testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "rotate-key"}, e); err != nil {
		t.Fatalf("rotate-key with the fleet stopped: %v\n%s%s", err, out.String(), errOut.String())
	}
	var nextKey, nextPin string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "PRIVATE+KEY+") {
			nextKey = line
		}
		if v, ok := strings.CutPrefix(line, "new verifier key: "); ok {
			nextPin = v
		}
	}
	if nextKey == "" || nextPin == "" || nextPin == vkey {
		t.Fatalf("rotate-key output:\n%s", out.String())
	}
	if n := notes(); n != before+3 {
		t.Fatalf("rotation stored %d notes, want 3 (old key's checkpoint, hand-over, new key's checkpoint)", n-before)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("files made beside ORDERCARE_DB: %v", entries)
	}

	nk, err := audit.ParseSigningKey(nextKey)
	if err != nil || nk.VerifierKey != nextPin {
		t.Fatalf("the printed key: %v (verifier %s, printed %s)", err, nk.VerifierKey, nextPin)
	}
	l, err = audit.OpenWith(ctx, "", audit.Options{DatabaseURL: pg.URL, Instance: "web-b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StartCheckpoints(audit.CheckpointConfig{Key: nk, Every: 10, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatalf("start with the new key: %v", err)
	}
	for range 12 {
		if _, err := l.Append(ctx, audit.Event{Kind: audit.KindStaff, Reason: "served after the rotation"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pin := range []string{nextPin, vkey} {
		vars["ORDERCARE_AUDIT_VERIFIER_KEY"] = pin
		e, out, errOut = testEnv(vars, nil)
		if err := run(ctx, []string{"audit", "verify"}, e); err != nil || !strings.Contains(out.String(), "audit log ok: 37 events") {
			t.Fatalf("verify pinned to %s after the rotation: %v\n%s%s", pin, err, out.String(), errOut.String())
		}
	}

	e, out, errOut = testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "keygen"}, e); err != nil || !strings.Contains(out.String(), "PRIVATE+KEY+") || !strings.Contains(out.String(), "verifier key: ") {
		t.Fatalf("keygen on PostgreSQL: %v\n%s%s", err, out.String(), errOut.String())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("keygen made files beside ORDERCARE_DB: %v", entries)
	}
}
