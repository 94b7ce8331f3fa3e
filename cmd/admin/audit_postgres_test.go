package main

import (
	"database/sql"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db/dbtest"
)

// With ORDERCARE_DATABASE_URL set, admin audit verify checks the shared
// log against the fleet's checkpoints in the database (and prove proves
// an event from them), with the pinned verifier key: a good log passes, a
// log whose tail its owner deleted (the triggers disabled) fails.
func TestAuditVerifyOnPostgreSQL(t *testing.T) {
	t.Parallel()
	pg, l, _, vkey, k := fleetLog(t)
	ctx := t.Context()
	events := make([]audit.Event, 30)
	for i := range events {
		events[i] = audit.Event{Kind: audit.KindStaff, Reason: "event " + strings.Repeat("x", i), Time: time.Unix(1_700_000_000, 0)}
	}
	serveFleetLog(t, l, k, events...)
	vars := map[string]string{config.EnvDatabaseURL: pg.URL, "ORDERCARE_AUDIT_VERIFIER_KEY": vkey,
		"ORDERCARE_DB": filepath.Join(t.TempDir(), "data", "admin.db")}

	e, out, errOut := testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "verify"}, e); err != nil || !strings.Contains(out.String(), "audit log ok: 30 events") {
		t.Fatalf("verify on PostgreSQL: %v\n%s%s", err, out.String(), errOut.String())
	}
	e, out, errOut = testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "prove", "7"}, e); err != nil || !strings.Contains(out.String(), `"seq": 7`) {
		t.Fatalf("prove on PostgreSQL: %v\n%s%s", err, out.String(), errOut.String())
	}

	d, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, s := range []string{`ALTER TABLE events DISABLE TRIGGER USER`, `DELETE FROM events WHERE seq > 25`} {
		if _, err := d.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	e, _, errOut = testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "verify"}, e); err == nil || !strings.Contains(errOut.String(), "events were removed") {
		t.Fatalf("verify of a shortened log on PostgreSQL: %v\n%s", err, errOut.String())
	}
}

// A fleet that served before it had a key (checkpoints were off on
// PostgreSQL) is refused at its first start with one, as a SQLite log
// that predates its key is; admin audit acknowledge with
// ORDERCARE_DATABASE_URL and the fleet's key records that signing starts
// there, and the next start accepts the log.
func TestAuditAcknowledgeOnPostgreSQL(t *testing.T) {
	t.Parallel()
	pg, l, skey, vkey, k := fleetLog(t)
	ctx := t.Context()
	for range 3 {
		if _, err := l.Append(ctx, audit.Event{Kind: audit.KindExport, Reason: "served"}); err != nil {
			t.Fatal(err)
		}
	}
	var mm *audit.MismatchError
	if err := l.StartCheckpoints(audit.CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)}); !errors.As(err, &mm) {
		t.Fatalf("first start with a key on a fleet log that served unsigned: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{config.EnvDatabaseURL: pg.URL, "ORDERCARE_AUDIT_SIGNING_KEY": skey, "ORDERCARE_AUDIT_VERIFIER_KEY": vkey,
		"ORDERCARE_DB": filepath.Join(t.TempDir(), "data", "admin.db")}
	e, out, errOut := testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "acknowledge", "-reason", "checkpoints start on the fleet"}, e); err != nil {
		t.Fatalf("acknowledge on PostgreSQL: %v\n%s%s", err, out.String(), errOut.String())
	}
	l, err := audit.OpenWith(ctx, "", audit.Options{DatabaseURL: pg.URL, Instance: "web-a"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StartCheckpoints(audit.CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatalf("start after the acknowledgement: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	e, out, errOut = testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "verify"}, e); err != nil || !strings.Contains(out.String(), "acknowledged: ") {
		t.Fatalf("verify after the acknowledgement: %v\n%s%s", err, out.String(), errOut.String())
	}
}

// serveFleetLog appends events to l as an instance of the fleet does,
// with a checkpoint signed with k every 10 events, and stops it.
func serveFleetLog(t *testing.T, l *audit.Log, k audit.SigningKey, events ...audit.Event) {
	t.Helper()
	if err := l.StartCheckpoints(audit.CheckpointConfig{Key: k, Every: 10, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	for _, ev := range events {
		if _, err := l.Append(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// fleetLog opens a fleet's audit log on a fresh PostgreSQL schema as
// instance web-a, with a new checkpoint key: its text (skey), its
// verifier key (vkey) and the key itself.
func fleetLog(t *testing.T) (pg dbtest.Backend, l *audit.Log, skey, vkey string, k audit.SigningKey) {
	t.Helper()
	pg = dbtest.Postgres(t)
	skey, vkey, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	if k, err = audit.ParseSigningKey(skey); err != nil {
		t.Fatal(err)
	}
	if l, err = audit.OpenWith(t.Context(), "", audit.Options{DatabaseURL: pg.URL, Instance: "web-a"}); err != nil {
		t.Fatal(err)
	}
	return pg, l, skey, vkey, k
}
