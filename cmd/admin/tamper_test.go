package main

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/app"
	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
	"ordercare/internal/witness"
)

// The tamper suite: what an auditor tries with the back office stopped,
// the append-only triggers dropped and the database edited with SQL. Each
// case must be caught by the default `admin audit verify` and by start-up
// (which then appends nothing), unless the case says which outside copy
// is needed. The data folder is one a back office served: 40 events (20
// changes, requested and completed), checkpoints every 10 events, stopped
// cleanly, the verifier key pinned as the README recommends.

// forger edits audit.db as an attacker would, recomputing hashes from the
// documented encoding (internal/audit/canonical.go) with its own code.
type forger struct {
	t *testing.T
	d *sql.DB
}

func openForger(t *testing.T, dir string) *forger {
	t.Helper()
	d, err := sql.Open("sqlite", filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &forger{t: t, d: d}
	f.exec(`DROP TRIGGER IF EXISTS events_no_update`)
	f.exec(`DROP TRIGGER IF EXISTS events_no_delete`)
	return f
}

func (f *forger) close() { _ = f.d.Close() }

func (f *forger) exec(q string, args ...any) {
	f.t.Helper()
	if _, err := f.d.Exec(q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
}

func (f *forger) count() int64 {
	f.t.Helper()
	var n int64
	if err := f.d.QueryRow(`SELECT count(*) FROM events`).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// hashedColumns are the columns the hash covers, in order, before prev_hash.
var hashedColumns = []string{"seq", "time", "kind", "attempt_id", "staff_id", "staff_email", "staff_role", "client_ip", "user_agent",
	"order_id", "action", "reason", "ticket", "idempotency_key", "request", "before_json", "after_json", "outcome", "http_status",
	"error_code", "error_messages", "correlation_id", "resource_id", "duration_ms", "detail_json"}

// rehashFrom recomputes prev_hash and hash of every event from seq on, so
// that the chain verifies again.
func (f *forger) rehashFrom(seq int64) {
	f.t.Helper()
	prev := audit.GenesisHash
	if seq > 1 {
		if err := f.d.QueryRow(`SELECT hash FROM events WHERE seq = ?`, seq-1).Scan(&prev); err != nil {
			f.t.Fatal(err)
		}
	}
	sel := make([]string, len(hashedColumns))
	for i, c := range hashedColumns {
		sel[i] = "CAST(" + c + " AS BLOB)"
	}
	rows, err := f.d.Query(`SELECT seq, `+strings.Join(sel, ", ")+` FROM events WHERE seq >= ? ORDER BY seq`, seq)
	if err != nil {
		f.t.Fatal(err)
	}
	type upd struct {
		seq        int64
		prev, hash string
	}
	var ups []upd
	for rows.Next() {
		var s int64
		vals := make([][]byte, len(hashedColumns))
		dst := []any{&s}
		for i := range vals {
			dst = append(dst, &vals[i])
		}
		if err := rows.Scan(dst...); err != nil {
			f.t.Fatal(err)
		}
		b := []byte(prev + "ordercare-audit-v1\n")
		frame := func(name string, v []byte) {
			b = append(b, name+":"+strconv.Itoa(len(v))+":"...)
			b = append(b, v...)
			b = append(b, '\n')
		}
		for i, c := range hashedColumns {
			frame(c, vals[i])
		}
		frame("prev_hash", []byte(prev))
		sum := sha256.Sum256(b)
		h := hex.EncodeToString(sum[:])
		ups = append(ups, upd{s, prev, h})
		prev = h
	}
	rows.Close()
	for _, u := range ups {
		f.exec(`UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?`, u.prev, u.hash, u.seq)
	}
}

func (f *forger) deleteTail(k int64) {
	f.exec(`DELETE FROM events WHERE seq > ?`, f.count()-k)
}

// shift renumbers the events from seq on by delta (one at a time, in the
// order that keeps seq unique).
func (f *forger) shift(from, delta int64) {
	n := f.count()
	if delta > 0 {
		for s := n; s >= from; s-- {
			f.exec(`UPDATE events SET seq = ? WHERE seq = ?`, s+delta, s)
		}
		return
	}
	for s := from; s <= n+1; s++ {
		f.exec(`UPDATE events SET seq = ? WHERE seq = ?`, s+delta, s)
	}
}

// forge inserts a staff event at seq (which must be free).
func (f *forger) forge(seq int64, reason string) {
	f.exec(`INSERT INTO events (seq, time, kind, staff_id, staff_email, staff_role, reason, prev_hash, hash)
		VALUES (?, '2026-11-25T09:30:00.000000000Z', 'staff', 1, 'admin@example.com', 'admin', ?, '', '')`, seq, reason)
}

func (f *forger) edit(seq int64) {
	f.exec(`UPDATE events SET reason = 'goodwill, approved' WHERE seq = ?`, seq)
	f.rehashFrom(seq)
}

// servedFolder is a data folder a back office served and stopped: key
// made with `admin audit keygen`, 40 events, checkpoints every 10.
func servedFolder(t *testing.T) (dir, pinned string) {
	t.Helper()
	dir = t.TempDir()
	e, _, _ := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db")}, nil)
	if err := run(t.Context(), []string{"audit", "keygen"}, e); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(t.Context(), filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	appendServed(t, dir, 40)
	key, err := audit.LoadSigningKey("", dir, false)
	if err != nil {
		t.Fatal(err)
	}
	return dir, key.VerifierKey
}

// checkpointedLog opens the audit log of the data folder dir (audit.db,
// or where opts puts it) as a back office does: checkpoints on, one every
// `every` events, signed with the folder's key.
func checkpointedLog(t *testing.T, dir string, opts audit.Options, every int64) *audit.Log {
	t.Helper()
	key, err := audit.LoadSigningKey("", dir, false)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.OpenWith(t.Context(), filepath.Join(dir, "audit.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StartCheckpoints(audit.CheckpointConfig{Key: key, Every: every, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	return l
}

// appendServed appends n events (changes: requested, completed) as a
// back office does, checkpoints on, and stops it.
func appendServed(t *testing.T, dir string, n int) {
	t.Helper()
	l := checkpointedLog(t, dir, audit.Options{}, 10)
	first, _, _ := l.Head(t.Context())
	for i := range n {
		seq := first + int64(i) + 1
		att := fmt.Sprintf("att-%d", (seq+1)/2)
		ev := audit.Event{Kind: audit.KindRequested, AttemptID: att, Actor: audit.Actor{StaffID: 7, Email: "agent@example.com", Role: "agent"},
			OrderID: "order-1", Action: "create_refund", Reason: "customer returned item " + strconv.FormatInt(seq, 10), IdempotencyKey: "key-" + att}
		if seq%2 == 0 {
			ev = audit.Event{Kind: audit.KindCompleted, AttemptID: att, Actor: ev.Actor, OrderID: "order-1", Action: "create_refund",
				Outcome: audit.OutcomeSucceeded, HTTPStatus: 201}
		}
		if _, err := l.Append(t.Context(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// verifyFolder runs the default `admin audit verify` with the pinned key.
func verifyFolder(t *testing.T, dir, pinned string, extra ...string) (string, error) {
	t.Helper()
	e, out, errOut := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db"), "ORDERCARE_AUDIT_VERIFIER_KEY": pinned}, nil)
	err := run(t.Context(), append([]string{"audit", "verify"}, extra...), e)
	return out.String() + errOut.String(), err
}

var cheapStaff = apptest.CheapHashing()

// startFolder builds the back office (sandbox mode, key pinned) on the
// folder and stops it again; the error is the start's.
func startFolder(t *testing.T, dir, pinned string) error {
	t.Helper()
	return startWitnessed(t, dir, pinned, "")
}

// startWitnessed is startFolder with a witness.
func startWitnessed(t *testing.T, dir, pinned, witnessURL string) error {
	t.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(dir, "admin.db"), OMProvider: "kustom",
		OMTimeout: 10 * time.Second, AuditVerifierKey: pinned, AuditWitnessURL: witnessURL}
	a, err := app.Build(t.Context(), cfg, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithOutput(io.Discard), app.WithStaffOptions(cheapStaff))
	if err != nil {
		return err
	}
	return a.Close()
}

func auditEvents(t *testing.T, dir string) int64 {
	t.Helper()
	res, err := audit.VerifyFile(t.Context(), filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	return res.Events
}

// rewriteCheckpoints replaces the checkpoint file by one checkpoint of
// the log's head, stopped, signed by the key text skey.
func rewriteCheckpoints(t *testing.T, dir, skey string) {
	t.Helper()
	k, err := audit.ParseSigningKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(t.Context(), filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	n, h, err := l.Head(t.Context())
	_ = l.Close()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := audit.SignCheckpoint(k.Signer, audit.Checkpoint{Count: n, Head: h, Time: time.Now(), Stopped: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, audit.CheckpointsFileName), msg, 0o600); err != nil {
		t.Fatal(err)
	}
}

// dropNotes keeps the checkpoints covering at most n events.
func dropNotes(t *testing.T, dir string, n int64) {
	t.Helper()
	path := filepath.Join(dir, audit.CheckpointsFileName)
	v, err := audit.ReadVerifierKey(filepath.Join(dir, audit.PubFileName))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, audit.CheckpointsUpTo(b, v, n), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// swapKey puts a new key pair in the folder and returns the signing key.
func swapKey(t *testing.T, dir string) string {
	t.Helper()
	skey, vkey, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{audit.KeyFileName: skey + "\n", audit.PubFileName: vkey + "\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return skey
}

func fileKey(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, audit.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestTamperIsCaught(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		// tamper edits the folder; copy is a checkpoint copy kept outside
		// it (the shop's audit.checkpoint events), taken before.
		tamper func(t *testing.T, dir, copy string)
		// outside: caught only with a copy outside the folder: the
		// shop's copy given to verify (-checkpoints), a witness at
		// start-up (it saw the checkpoints before the tampering).
		outside bool
		// witnessUpTo: the witness saw the checkpoints up to this count
		// (0: all of them).
		witnessUpTo int64
	}{
		{"last event deleted", func(t *testing.T, dir, _ string) { f := openForger(t, dir); defer f.close(); f.deleteTail(1) }, false, 0},
		{"last 5 events deleted", func(t *testing.T, dir, _ string) { f := openForger(t, dir); defer f.close(); f.deleteTail(5) }, false, 0},
		{"last 10 events deleted", func(t *testing.T, dir, _ string) { f := openForger(t, dir); defer f.close(); f.deleteTail(10) }, false, 0},
		{"middle event deleted, the rest renumbered and rehashed", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			defer f.close()
			f.exec(`DELETE FROM events WHERE seq = 20`)
			f.shift(21, -1)
			f.rehashFrom(20)
		}, false, 0},
		{"forged event appended", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			defer f.close()
			n := f.count()
			f.forge(n+1, "forged")
			f.rehashFrom(n + 1)
		}, false, 0},
		{"forged event inserted and the rest rehashed", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			defer f.close()
			f.shift(20, 1)
			f.forge(20, "forged")
			f.rehashFrom(20)
		}, false, 0},
		{"event edited and every hash after it recomputed", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			defer f.close()
			f.edit(5)
		}, false, 0},
		{"log cut to leave a change open (start-up would append its recovery)", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			defer f.close()
			f.deleteTail(9) // event 31, a requested, loses its completed
		}, false, 0},
		{"audit.key deleted beside a rewritten log", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			f.edit(5)
			f.close()
			_ = os.Remove(filepath.Join(dir, audit.KeyFileName))
		}, false, 0},
		{"audit.key and audit.pub deleted beside a rewritten log", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			f.edit(5)
			f.close()
			_ = os.Remove(filepath.Join(dir, audit.KeyFileName))
			_ = os.Remove(filepath.Join(dir, audit.PubFileName))
		}, false, 0},
		{"audit.key, audit.pub and audit.checkpoints deleted beside a rewritten log", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			f.edit(5)
			f.close()
			for _, n := range []string{audit.KeyFileName, audit.PubFileName, audit.CheckpointsFileName} {
				_ = os.Remove(filepath.Join(dir, n))
			}
		}, false, 0},
		{"rewritten log re-signed with a new key in a new audit.checkpoints", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			f.edit(5)
			f.close()
			rewriteCheckpoints(t, dir, swapKey(t, dir))
		}, false, 0},
		{"last events and the newer checkpoints deleted", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			f.deleteTail(10)
			f.close()
			dropNotes(t, dir, 30)
		}, true, 0},
		// Beyond the thirteen:
		{"checkpoint file deleted", func(t *testing.T, dir, _ string) { _ = os.Remove(filepath.Join(dir, audit.CheckpointsFileName)) }, false, 0},
		{"outside copy older than the local file: log rewritten and re-signed with the stolen key", func(t *testing.T, dir, copy string) {
			dropNotesAt(t, copy, dir, 30) // the copy saw up to 30 events (checkpoints at about 10 and 20)
			f := openForger(t, dir)
			f.edit(5)
			f.close()
			rewriteCheckpoints(t, dir, fileKey(t, dir))
		}, true, 30},
		{"two forks of equal length", func(t *testing.T, dir, _ string) {
			f := openForger(t, dir)
			defer f.close()
			f.deleteTail(10)
			for s := int64(31); s <= 40; s++ {
				f.forge(s, "fork "+strconv.FormatInt(s, 10))
			}
			f.rehashFrom(31)
		}, false, 0},
		{"key swapped with a matching new checkpoint file", func(t *testing.T, dir, _ string) {
			rewriteCheckpoints(t, dir, swapKey(t, dir))
		}, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, pinned := servedFolder(t)
			if out, err := verifyFolder(t, dir, pinned); err != nil {
				t.Fatalf("the untouched folder does not verify: %v\n%s", err, out)
			}
			copy := filepath.Join(t.TempDir(), "shop.checkpoints")
			copyFile(t, filepath.Join(dir, audit.CheckpointsFileName), copy)
			witnessURL := ""
			if tc.outside {
				witnessURL = witnessed(t, dir, pinned, tc.witnessUpTo)
			}
			tc.tamper(t, dir, copy)
			n := auditEvents(t, dir)

			out, err := verifyFolder(t, dir, pinned)
			if tc.outside {
				if err != nil {
					t.Logf("caught without the outside copy too: %v", err)
				}
				out, err = verifyFolder(t, dir, pinned, "-checkpoints", copy)
			}
			if err == nil {
				t.Fatalf("admin audit verify passed the tampered log:\n%s", out)
			}
			t.Logf("verify: %v", err)

			if tc.outside {
				// The folder alone cannot show it: the back office
				// without a witness starts.
				if err := startFolder(t, dir, pinned); err != nil {
					t.Logf("caught without the witness too: %v", err)
				}
			}
			err = startWitnessed(t, dir, pinned, witnessURL)
			switch {
			case err == nil:
				t.Fatal("the back office started on the tampered log")
			case !strings.Contains(err.Error(), "audit log refused"):
				t.Fatalf("start failed, but not with the audit refusal: %v", err)
			default:
				t.Logf("start: %v", err)
				if strings.Contains(err.Error(), "\n") {
					t.Fatalf("the refusal is not one line: %q", err)
				}
				if got := auditEvents(t, dir); got != n {
					t.Fatalf("the refused start changed the log from %d to %d events", n, got)
				}
			}
		})
	}
}

// dropNotesAt writes to copy the checkpoints of dir's file covering at
// most n events.
func dropNotesAt(t *testing.T, copy, dir string, n int64) {
	t.Helper()
	v, err := audit.ReadVerifierKey(filepath.Join(dir, audit.PubFileName))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, audit.CheckpointsFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copy, audit.CheckpointsUpTo(b, v, n), 0o600); err != nil {
		t.Fatal(err)
	}
}

// A restore from `admin backup` is refused until acknowledged, and then
// raises no alarm: not at start-up, not in verify, not against the shop's
// copy of the checkpoints signed before the restore.
func TestRestoreFromBackupIsAcknowledgedNotAlarmed(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, pinned := servedFolder(t)
	vars := map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db"), "ORDERCARE_AUDIT_VERIFIER_KEY": pinned}
	backup := filepath.Join(t.TempDir(), "backup")
	e, _, _ := testEnv(vars, nil)
	if err := run(ctx, []string{"backup", backup}, e); err != nil {
		t.Fatal(err)
	}
	// The backup verifies on its own.
	if out, err := verifyFolder(t, backup, pinned); err != nil {
		t.Fatalf("the backup does not verify: %v\n%s", err, out)
	}
	// Life goes on: 15 more events, signed; the shop keeps its copy.
	appendServed(t, dir, 15)
	shop := filepath.Join(t.TempDir(), "shop.checkpoints")
	copyFile(t, filepath.Join(dir, audit.CheckpointsFileName), shop)

	// Restore: admin.db and audit.db back from the backup; key and
	// checkpoints stay.
	for _, name := range []string{"admin.db", "audit.db"} {
		for _, s := range []string{"-wal", "-shm"} {
			_ = os.Remove(filepath.Join(dir, name+s))
		}
		copyFile(t, filepath.Join(backup, name), filepath.Join(dir, name))
	}
	err := startFolder(t, dir, pinned)
	if err == nil || !strings.Contains(err.Error(), "events 41..55 are missing") || !strings.Contains(err.Error(), audit.AcknowledgeCommand) {
		t.Fatalf("start on the restored log: %v", err)
	}
	e, _, _ = testEnv(vars, nil) // the output of a refusal is not read
	if err := run(ctx, []string{"audit", "acknowledge", "-by", "ops@example.com"}, e); err == nil {
		t.Fatal("acknowledged without a reason")
	}
	e, out, _ := testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "acknowledge", "-reason", "restored the backup of 25 November after a disk failure", "-by", "ops@example.com"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "events 41..55 lost") {
		t.Fatalf("acknowledge: %s", out)
	}
	e, _, _ = testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "acknowledge", "-reason", "again"}, e); err == nil || !strings.Contains(err.Error(), "nothing to acknowledge") {
		t.Fatalf("a second acknowledge: %v", err)
	}
	check := func(when string) {
		t.Helper()
		for _, extra := range [][]string{nil, {"-checkpoints", shop}} {
			out, err := verifyFolder(t, dir, pinned, extra...)
			if err != nil {
				t.Fatalf("%s: verify %v: %v\n%s", when, extra, err, out)
			}
			if !strings.Contains(out, "acknowledged: event 41") || !strings.Contains(out, "events 41..55 lost") {
				t.Fatalf("%s: verify does not report the restore:\n%s", when, out)
			}
		}
	}
	check("after the acknowledgement")
	if err := startFolder(t, dir, pinned); err != nil {
		t.Fatalf("start after the acknowledgement: %v", err)
	}
	check("after a start and stop")
	// An admin command while stopped signs what it appends.
	e, _, _ = testEnv(vars, strings.NewReader("a long enough password\n"))
	if err := run(ctx, []string{"user", "add", "--email", "new@example.com", "--role", "agent"}, e); err != nil {
		t.Fatal(err)
	}
	check("after admin user add")
	if err := startFolder(t, dir, pinned); err != nil {
		t.Fatalf("start after admin user add: %v", err)
	}
	// The restore is in the trail, as an event of its own.
	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ev, err := l.Event(ctx, 41)
	if err != nil || ev.Kind != audit.KindAcknowledged || ev.Actor.Email != "ops@example.com" || !strings.Contains(ev.Reason, "disk failure") {
		t.Fatalf("event 41: %+v %v", ev, err)
	}
}

// A key rotation hands the pinned key over to a new one: verify and
// start-up accept the new key under the old pin; a checkpoint the old key
// signs afterwards (someone kept it) is caught, and so is a hand-over the
// old key did not sign.
func TestKeyRotation(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, pinned := servedFolder(t)
	oldKey := fileKey(t, dir)
	vars := map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db"), "ORDERCARE_AUDIT_VERIFIER_KEY": pinned}
	e, out, _ := testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "rotate-key"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "key handed over") || fileKey(t, dir) == oldKey {
		t.Fatalf("rotate-key: %s", out)
	}
	for _, pin := range []string{pinned, ""} { // the old pin, and audit.pub (the new key) alone
		if out, err := verifyFolder(t, dir, pin); err != nil {
			t.Fatalf("verify after the rotation (pin %q): %v\n%s", pin, err, out)
		}
	}
	if err := startFolder(t, dir, pinned); err != nil {
		t.Fatalf("start after the rotation under the old pin: %v", err)
	}
	appendServed(t, dir, 5)
	if out, err := verifyFolder(t, dir, pinned); err != nil {
		t.Fatalf("verify after new events: %v\n%s", err, out)
	}

	// Someone kept the old key: what it signs after the hand-over fails,
	// even a checkpoint that matches the log.
	k, err := audit.ParseSigningKey(oldKey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	n, h, err := l.Head(ctx)
	_ = l.Close()
	if err != nil {
		t.Fatal(err)
	}
	late, err := audit.SignCheckpoint(k.Signer, audit.Checkpoint{Count: n, Head: h, Time: time.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	appendTo(t, filepath.Join(dir, audit.CheckpointsFileName), late)
	if out, err := verifyFolder(t, dir, pinned); err == nil || !strings.Contains(out, "someone kept the old key") {
		t.Fatalf("a checkpoint of the old key after the hand-over: %v\n%s", err, out)
	}

	// A hand-over the old key did not sign does not carry the pin.
	dir2, pinned2 := servedFolder(t)
	skey := swapKey(t, dir2)
	next, err := audit.ParseSigningKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := audit.SignRotation(next, next, audit.Checkpoint{Count: 40, Head: audit.GenesisHash, Time: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	forged = []byte(strings.Replace(string(forged), "from "+next.VerifierKey, "from "+pinned2, 1))
	appendTo(t, filepath.Join(dir2, audit.CheckpointsFileName), forged)
	rewriteCheckpointsAppend(t, dir2, skey)
	if _, err := verifyFolder(t, dir2, pinned2); err == nil {
		t.Fatal("verify accepted a hand-over the pinned key did not sign")
	}
	if err := startFolder(t, dir2, pinned2); err == nil || !strings.Contains(err.Error(), "no key rotation hands it over") {
		t.Fatalf("start with a forged hand-over: %v", err)
	}
}

// rewriteCheckpointsAppend appends a stopped checkpoint of the log's head
// signed by the key text skey.
func rewriteCheckpointsAppend(t *testing.T, dir, skey string) {
	t.Helper()
	path := filepath.Join(dir, audit.CheckpointsFileName)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rewriteCheckpoints(t, dir, skey)
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(before, after...), 0o600); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path string, b []byte) {
	t.Helper()
	old, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(old, b...), 0o600); err != nil {
		t.Fatal(err)
	}
}

// `admin audit prove` gives an auditor a proof of one event they can check
// with the verifier key alone; an edited event, path or key fails it.
func TestProveOneEvent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir, pinned := servedFolder(t)
	vars := map[string]string{"ORDERCARE_DB": filepath.Join(dir, "admin.db"), "ORDERCARE_AUDIT_VERIFIER_KEY": pinned}
	e, out, errOut := testEnv(vars, nil)
	if err := run(ctx, []string{"audit", "prove", "17"}, e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "admin audit check-proof proof.json -key audit.pub") {
		t.Fatalf("prove says how to check: %s", errOut)
	}
	proofFile := filepath.Join(t.TempDir(), "proof.json")
	if err := os.WriteFile(proofFile, []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(file string, key string) (string, error) {
		e, out, _ := testEnv(nil, nil)
		err := run(ctx, []string{"audit", "check-proof", "-key", key, file}, e)
		return out.String(), err
	}
	pub := filepath.Join(dir, audit.PubFileName)
	got, err := check(proofFile, pub)
	if err != nil || !strings.Contains(got, "proof ok: event 17 (") || !strings.Contains(got, `action "create_refund"`) {
		t.Fatalf("check-proof: %v %s", err, got)
	}
	var p audit.InclusionProof
	if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
		t.Fatal(err)
	}
	write := func(p audit.InclusionProof) string {
		b, _ := json.Marshal(p)
		f := filepath.Join(t.TempDir(), "p.json")
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return f
	}
	edited := p
	edited.Canonical = []byte(strings.Replace(string(p.Canonical), "customer returned item 17", "customer returned item 71", 1))
	if _, err := check(write(edited), pub); err == nil || !strings.Contains(err.Error(), "do not hash") {
		t.Fatalf("edited event: %v", err)
	}
	rehashed := edited
	sum := sha256.Sum256(edited.Canonical)
	rehashed.EventHash = hex.EncodeToString(sum[:])
	if _, err := check(write(rehashed), pub); err == nil || !strings.Contains(err.Error(), "signed root") {
		t.Fatalf("edited and rehashed event: %v", err)
	}
	other := filepath.Join(t.TempDir(), "other.pub")
	if _, vkey, err := audit.GenerateSigningKey(); err != nil || os.WriteFile(other, []byte(vkey), 0o600) != nil {
		t.Fatal(err)
	}
	if _, err := check(proofFile, other); err == nil {
		t.Fatal("a proof checked with another key")
	}
}

// witnessed runs a witness for the folder's log, hands it every
// checkpoint of the folder up to upTo events (0: all) in order, as the
// back office would have, and returns its URL.
func witnessed(t *testing.T, dir, pinned string, upTo int64) string {
	t.Helper()
	ctx := t.Context()
	lv, err := note.NewVerifier(pinned)
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := witnessKey(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(witness.New(t.TempDir(), lv, ws))
	t.Cleanup(srv.Close)
	c := witness.Client{URL: srv.URL, HTTP: srv.Client(), Log: lv}
	b, err := os.ReadFile(filepath.Join(dir, audit.CheckpointsFileName))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, msg := range audit.SplitCheckpoints(b) {
		cp, err := audit.OpenCheckpoint(msg, lv)
		if err != nil {
			t.Fatal(err)
		}
		if upTo > 0 && cp.Count > upTo {
			break
		}
		if _, err := c.Add(ctx, l, cp, msg); err != nil {
			t.Fatal(err)
		}
	}
	return srv.URL
}
