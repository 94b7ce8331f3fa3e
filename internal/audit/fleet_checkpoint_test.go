package audit

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// tableNotes reads the fleet's checkpoint notes as someone with the
// database would: every row of audit_checkpoints, in order.
func tableNotes(t *testing.T, be dbtest.Backend) []byte {
	t.Helper()
	d := plainOn(t, be, "")
	defer d.Close()
	rows, err := d.Query(`SELECT note FROM audit_checkpoints ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// startFleetInstance opens a Log on be named instance with checkpoints
// every `every` events signed by k.
func startFleetInstance(t *testing.T, be dbtest.Backend, instance string, k SigningKey, every int64) *Log {
	t.Helper()
	l, _ := openOn(t, be, Options{Instance: instance})
	if err := l.StartCheckpoints(CheckpointConfig{Key: k, Every: every, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatalf("%s: %v", instance, err)
	}
	return l
}

// TestFleetCheckpointsVerify: two instances append at once to one
// PostgreSQL log, each signing checkpoints with the fleet's key into the
// shared table. The notes verify against the log, their counts only grow
// (no two instances signed one count, no checkpoint went backwards), and
// the newest covers every event; a third instance starts on the log.
func TestFleetCheckpointsVerify(t *testing.T) {
	t.Parallel()
	be := dbtest.Postgres(t)
	k := testKey(t)
	a := startFleetInstance(t, be, "web-a", k, 10)
	b := startFleetInstance(t, be, "web-b", k, 10)
	var wg sync.WaitGroup
	for _, l := range []*Log{a, b} {
		for w := range 4 {
			wg.Go(func() {
				for i := range 40 {
					if _, err := l.Append(context.Background(), sampleEvent(w*100+i)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	for _, l := range []*Log{a, b} {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	notes := tableNotes(t, be)
	v := verifierOf(t, k)
	rep, err := VerifyCheckpointsFile(context.Background(), be.URL, notes, v)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Matched != rep.Checkpoints || rep.Chain.Events != 320 || rep.Latest.Count != 320 || rep.Uncovered != 0 {
		t.Fatalf("fleet checkpoints: %+v", rep)
	}
	var prev int64 = -1
	for _, n := range SplitCheckpoints(notes) {
		cp, err := OpenCheckpoint(n, v)
		if err != nil {
			t.Fatal(err)
		}
		if cp.Count <= prev {
			t.Fatalf("checkpoint of %d after one of %d: two instances signed one count, or it went backwards\n%s", cp.Count, prev, notes)
		}
		if cp.Stopped {
			t.Fatalf("a fleet instance signed a stopped checkpoint: %+v", cp)
		}
		prev = cp.Count
	}
	if rep.Checkpoints < 10 {
		t.Fatalf("%d checkpoints of 320 events every 10", rep.Checkpoints)
	}
	startFleetInstance(t, be, "web-c", k, 10)
}

// TestFleetRollbackRefused: the shared log shortened by its owner (the
// triggers disabled) is refused at the next instance's start, from the
// table's newest checkpoint.
func TestFleetRollbackRefused(t *testing.T) {
	t.Parallel()
	be := dbtest.Postgres(t)
	k := testKey(t)
	a := startFleetInstance(t, be, "web-a", k, 10)
	for i := range 25 {
		if _, err := a.Append(context.Background(), sampleEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	tamperOn(t, be, "", `DELETE FROM events WHERE seq > 20`)
	l, _ := openOn(t, be, Options{Instance: "web-b"})
	err := l.StartCheckpoints(CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)})
	var mm *MismatchError
	if !errors.As(err, &mm) || !strings.Contains(err.Error(), "events 21..25 are missing") {
		t.Fatalf("start on a rolled-back fleet log: %v", err)
	}
}

// TestFleetCheckpointTableIsAppendOnly: the table refuses to change or
// lose a note.
func TestFleetCheckpointTableIsAppendOnly(t *testing.T) {
	t.Parallel()
	be := dbtest.Postgres(t)
	a := startFleetInstance(t, be, "web-a", testKey(t), 10)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	d := plainOn(t, be, "")
	defer d.Close()
	for _, s := range []string{`UPDATE audit_checkpoints SET note = 'x'`, `DELETE FROM audit_checkpoints`, `TRUNCATE audit_checkpoints`} {
		if _, err := d.Exec(s); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("%s: %v, want refused", s, err)
		}
	}
	if len(SplitCheckpoints(tableNotes(t, be))) == 0 {
		t.Fatal("no notes left")
	}
}

// TestFleetInstanceClosingStopsNothing: one instance of two stops; the
// other appends on, and an instance that starts then (before the other
// signs again) takes those events for the fleet's, not for events forged
// onto a stopped log; verification agrees.
func TestFleetInstanceClosingStopsNothing(t *testing.T) {
	t.Parallel()
	be := dbtest.Postgres(t)
	k := testKey(t)
	a := startFleetInstance(t, be, "web-a", k, 100)
	b := startFleetInstance(t, be, "web-b", k, 100)
	if _, err := b.Append(context.Background(), sampleEvent(1)); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 2; i <= 6; i++ {
		if _, err := b.Append(context.Background(), sampleEvent(i)); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := VerifyCheckpointsFile(context.Background(), be.URL, tableNotes(t, be), verifierOf(t, k))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Uncovered == 0 {
		t.Fatalf("verification with events after the stopped instance's last checkpoint: %+v", rep)
	}
	l, _ := openOn(t, be, Options{Instance: "web-c"})
	if err := l.StartCheckpoints(CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatalf("an instance starting while another appends after a third stopped: %v", err)
	}
}

// TestFleetTimedCheckpointOncePerFleet: the timed checkpoint of an idle
// fleet comes from one instance: another whose tick finds the head
// covered by a checkpoint younger than the interval adds none; once the
// interval has passed, it does.
func TestFleetTimedCheckpointOncePerFleet(t *testing.T) {
	t.Parallel()
	be := dbtest.Postgres(t)
	k := testKey(t)
	var mu sync.Mutex
	now := t0
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	var logs []*Log
	for _, name := range []string{"web-a", "web-b"} {
		l, _ := openOn(t, be, Options{Instance: name, Now: clock})
		if err := l.StartCheckpoints(CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
	}
	count := func() int { return len(SplitCheckpoints(tableNotes(t, be))) }
	if n := count(); n != 1 {
		t.Fatalf("%d checkpoints after two starts on an empty log, want the first one's", n)
	}
	tick := func() {
		for _, l := range logs {
			l.cp.checkpoint(true, 0, false)
		}
	}
	mu.Lock()
	now = now.Add(DefaultCheckpointInterval - time.Second)
	mu.Unlock()
	tick()
	if n := count(); n != 1 {
		t.Fatalf("%d checkpoints after ticks within the interval, want 1", n)
	}
	mu.Lock()
	now = now.Add(2 * time.Second)
	mu.Unlock()
	tick()
	if n := count(); n != 2 {
		t.Fatalf("%d checkpoints after both ticked past the interval, want 2 (one of the fleet)", n)
	}
}
