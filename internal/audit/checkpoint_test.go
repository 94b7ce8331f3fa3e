package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/db/dbtest"
)

// VerifyCheckpointsFile is verifyCheckpoints on the database at dbPath,
// opened read-only: VerifySources with the one local file.
func VerifyCheckpointsFile(ctx context.Context, dbPath string, file []byte, v note.Verifier) (CheckpointReport, error) {
	return VerifySources(ctx, dbPath, []CheckpointSource{{Notes: file, Local: true}}, v)
}

func testKey(t testing.TB) SigningKey {
	t.Helper()
	skey, _, err := GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseSigningKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func verifierOf(t testing.TB, k SigningKey) note.Verifier {
	t.Helper()
	v, err := note.NewVerifier(k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// syncBuffer is a log sink that tests can read while the checkpointer writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// checkpointedLog appends n events with checkpoints every `every` events,
// closes the log (a last checkpoint) and returns the paths.
func checkpointedLog(t *testing.T, be dbtest.Backend, k SigningKey, n int, every int64) (dbPath, cpFile string, logText string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = filepath.Join(dir, "audit.db")
	l, err := OpenWith(context.Background(), dbPath, Options{Now: func() time.Time { return t0 }, DatabaseURL: be.URL})
	if err != nil {
		t.Fatal(err)
	}
	var sink syncBuffer
	if err := l.StartCheckpoints(CheckpointConfig{Key: k, Every: every, Logger: slog.New(slog.NewTextHandler(&sink, nil))}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := l.Append(context.Background(), sampleEvent(i)); err != nil {
			t.Fatal(err)
		}
		if int64(i)%every == 0 {
			// The checkpointer signs on its own goroutine, and writes
			// the file with an fsync; appends that outrun it (PostgreSQL
			// without fsync, a loaded machine) would move the checkpoint
			// it is about to sign on, so that a test of where they fall
			// would measure the scheduler. Wait for it, within a liveness
			// bound.
			for deadline := time.Now().Add(10 * time.Second); l.CheckpointStatus().Last.Count < int64(i); {
				if time.Now().After(deadline) {
					t.Fatalf("no checkpoint at %d: %+v", i, l.CheckpointStatus())
				}
				time.Sleep(time.Millisecond)
			}
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return dbPath, filepath.Join(dir, CheckpointsFileName), sink.String()
}

// notesOf reads the log's signed notes: the checkpoint file at path on
// SQLite, the fleet's table on PostgreSQL.
func notesOf(t *testing.T, be dbtest.Backend, path string) []byte {
	t.Helper()
	if be.URL != "" {
		return tableNotes(t, be)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readCheckpoints(t *testing.T, be dbtest.Backend, path string, v note.Verifier) []Checkpoint {
	t.Helper()
	var out []Checkpoint
	for _, n := range SplitCheckpoints(notesOf(t, be, path)) {
		c, err := OpenCheckpoint(n, v)
		if err != nil {
			t.Fatalf("checkpoint %q: %v", n, err)
		}
		out = append(out, c)
	}
	return out
}

func TestCheckpointsEveryNEventsAndOnClose(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		k := testKey(t)
		dbPath, cpFile, logText := checkpointedLog(t, be, k, 250, 100)
		cps := readCheckpoints(t, be, cpFile, verifierOf(t, k))
		if len(cps) < 3 || cps[len(cps)-1].Count != 250 {
			t.Fatalf("checkpoints = %+v, want about every 100 events and 250 at close", cps)
		}
		for i := 1; i < len(cps); i++ {
			if cps[i].Count-cps[i-1].Count < 1 || (i < len(cps)-1 && cps[i].Count-cps[i-1].Count < 100) {
				t.Fatalf("checkpoints too close: %+v\n%s", cps, logText)
			}
		}
		if fi, err := os.Stat(cpFile); be.URL == "" && (err != nil || fi.Mode().Perm() != 0o600) {
			t.Fatalf("checkpoint file mode: %v %v", fi.Mode(), err)
		}
		// The process log carries a copy of each checkpoint, signature included.
		if strings.Count(logText, "msg=\"audit checkpoint\"") != len(cps) || !strings.Contains(logText, "ordercare-audit") {
			t.Fatalf("process log:\n%s", logText)
		}
		// Reopening with nothing new adds only the one that says the back
		// office runs again (the newest was signed as it stopped); one more
		// event and a close add exactly one more, marked stopped.
		l, err := OpenWith(context.Background(), dbPath, Options{DatabaseURL: be.URL})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.StartCheckpoints(CheckpointConfig{Key: k, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			t.Fatal(err)
		}
		if st := l.CheckpointStatus(); !st.Enabled || st.Last.Count != 250 || (st.File != cpFile && st.File != CheckpointTable) {
			t.Fatalf("status = %+v", st)
		}
		if _, err := l.Append(context.Background(), sampleEvent(251)); err != nil {
			t.Fatal(err)
		}
		l.Close()
		if be.URL != "" {
			// A fleet's instance stopping stops nothing (tail.go): its
			// close signs an ordinary checkpoint, and its start none
			// when the newest covers the head.
			if got := readCheckpoints(t, be, cpFile, verifierOf(t, k)); cps[len(cps)-1].Stopped || len(got) != len(cps)+1 ||
				got[len(got)-1].Count != 251 || got[len(got)-1].Stopped {
				t.Fatalf("after reopen: %+v", got)
			}
			return
		}
		if !cps[len(cps)-1].Stopped {
			t.Fatalf("the close's checkpoint is not marked stopped: %+v", cps)
		}
		if got := readCheckpoints(t, be, cpFile, verifierOf(t, k)); len(got) != len(cps)+2 || got[len(got)-2].Count != 250 || got[len(got)-2].Stopped ||
			got[len(got)-1].Count != 251 || !got[len(got)-1].Stopped {
			t.Fatalf("after reopen: %+v", got)
		}
	})
}

func TestCheckpointAtLeastEveryInterval(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		k := testKey(t)
		// A clock that runs: in a fleet an instance adds no timed
		// checkpoint while the newest covers the head and is younger than
		// the interval (checkpoint_fleet.go).
		l, _ := openOn(t, be, Options{Now: time.Now})
		// Started on the empty log: a log with events needs a checkpoint
		// signed before it (tail.go).
		if err := l.StartCheckpoints(CheckpointConfig{Key: k, Interval: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Append(context.Background(), sampleEvent(1)); err != nil {
			t.Fatal(err)
		}
		file := l.CheckpointStatus().File
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, _ := os.ReadFile(file)
			if be.URL != "" {
				b = tableNotes(t, be)
			}
			if len(SplitCheckpoints(b)) >= 3 {
				break // the start-up one and two from the ticker, with no new events
			}
			if time.Now().After(deadline) {
				t.Fatalf("no timed checkpoints: %s", b)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// rewriteChain edits event seq like an attacker with the file and no key:
// triggers dropped, the reason changed, and every hash from there to the
// head recomputed so that the chain verifies again.
func rewriteChain(t *testing.T, be dbtest.Backend, path string, seq int64) {
	t.Helper()
	tamperOn(t, be, path, `UPDATE events SET reason = 'goodwill, approved' WHERE seq = `+strconv.FormatInt(seq, 10))
	d := plainOn(t, be, path)
	defer d.Close()
	rows, err := d.Query(`SELECT ` + selectColumns + ` FROM events ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var all []row
	for rows.Next() {
		r, err := scanRow(rows)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	prev := GenesisHash
	for _, r := range all {
		r.PrevHash = prev
		r.Hash = r.computeHash()
		prev = r.Hash
		// Hex hashes and a number, written in: a plain PostgreSQL
		// connection numbers its placeholders.
		if _, err := d.Exec(fmt.Sprintf(`UPDATE events SET prev_hash = '%s', hash = '%s' WHERE seq = %d`, r.PrevHash, r.Hash, r.Seq)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestVerifyCheckpointsCatchesTampering(t *testing.T) {
	t.Parallel()
	k := testKey(t)
	other := testKey(t)
	cases := []struct {
		name string
		// tamper changes the database and/or the checkpoint file contents
		tamper  func(t *testing.T, be dbtest.Backend, dbPath string, file []byte) []byte
		key     SigningKey
		chainOK bool
		problem string // a substring of the first problem; "" = verifies
	}{
		{"intact", func(t *testing.T, _ dbtest.Backend, _ string, f []byte) []byte { return f }, k, true, ""},
		{"chain rewritten end to end", func(t *testing.T, be dbtest.Backend, p string, f []byte) []byte { rewriteChain(t, be, p, 5); return f }, k, true, "the chain was rewritten"},
		{"tail removed", func(t *testing.T, be dbtest.Backend, p string, f []byte) []byte {
			tamperOn(t, be, p, `DELETE FROM events WHERE seq > 180`)
			return f
		}, k, true, "events were removed"},
		{"log replaced by a fresh one", func(t *testing.T, be dbtest.Backend, p string, f []byte) []byte {
			if be.URL != "" {
				// A fresh log of 20 sample events at t0 holds the
				// first 20 of these, and no tree.
				tamperOn(t, be, p, `DELETE FROM events WHERE seq > 20`, `DELETE FROM tree_hashes`, `DELETE FROM tree_state`)
				return f
			}
			for _, s := range []string{"", "-wal", "-shm"} {
				os.Remove(p + s)
			}
			fresh := fillClosed(t, 20)
			b, err := os.ReadFile(fresh)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			return f
		}, k, true, "events were removed"},
		{"checkpoint count edited", func(t *testing.T, _ dbtest.Backend, _ string, f []byte) []byte {
			return bytes.Replace(f, []byte(CheckpointOrigin+"\n250\n"), []byte(CheckpointOrigin+"\n180\n"), 1)
		}, k, true, "signature or format not valid"},
		{"chain rewritten and re-signed with another key", func(t *testing.T, be dbtest.Backend, p string, f []byte) []byte {
			rewriteChain(t, be, p, 5)
			l, err := OpenWith(context.Background(), p, Options{DatabaseURL: be.URL})
			if err != nil {
				t.Fatal(err)
			}
			n, h, _ := l.Head(context.Background())
			l.Close()
			forged, err := SignCheckpoint(other.Signer, Checkpoint{Count: n, Head: h, Time: t0})
			if err != nil {
				t.Fatal(err)
			}
			return append(f, forged...)
		}, k, true, "the chain was rewritten"},
		{"checked with the wrong key", func(t *testing.T, _ dbtest.Backend, _ string, f []byte) []byte { return f }, other, true, "not signed by the given key"},
		{"event edited in place", func(t *testing.T, be dbtest.Backend, p string, f []byte) []byte {
			tamperOn(t, be, p, `UPDATE events SET reason = 'x' WHERE seq = 7`)
			return f
		}, k, false, ""},
	}
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				be := be.Fresh(t)
				dbPath, cpFile, _ := checkpointedLog(t, be, k, 250, 100)
				file := tc.tamper(t, be, dbPath, notesOf(t, be, cpFile))
				rep, err := VerifyCheckpointsFile(context.Background(), dbOf(be, dbPath), file, verifierOf(t, tc.key))
				if err != nil {
					t.Fatal(err)
				}
				if rep.Chain.OK != tc.chainOK {
					t.Fatalf("chain = %+v, want OK=%v", rep.Chain, tc.chainOK)
				}
				switch {
				case tc.name == "intact":
					if !rep.OK() || rep.Matched != rep.Checkpoints || rep.Latest.Count != 250 || rep.Uncovered != 0 {
						t.Fatalf("intact log: %+v", rep)
					}
				case tc.problem != "":
					if rep.OK() || len(rep.Problems) == 0 || !strings.Contains(strings.Join(rep.Problems, "\n"), tc.problem) {
						t.Fatalf("problems = %q, want %q", rep.Problems, tc.problem)
					}
				default:
					if rep.OK() {
						t.Fatalf("tampered log verified: %+v", rep)
					}
				}
			})
		}
	})
}

func TestLoadSigningKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, err := LoadSigningKey("", dir, false); !errors.Is(err, ErrNoSigningKey) {
		t.Fatalf("live mode without a key: %v", err)
	}
	k1, err := LoadSigningKey("", dir, true)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	v, err := ReadVerifierKey(filepath.Join(dir, PubFileName))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := SignCheckpoint(k1.Signer, Checkpoint{Count: 3, Head: GenesisHash, Time: t0})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := OpenCheckpoint(msg, v); err != nil || c.Count != 3 || !c.Time.Equal(t0.Truncate(time.Second)) {
		t.Fatalf("round trip: %+v %v", c, err)
	}
	k2, err := LoadSigningKey("", dir, true)
	if err != nil || k2.VerifierKey != k1.VerifierKey {
		t.Fatalf("second start made a new key: %v", err)
	}
	// A configured key wins over the file.
	skey, vkey, _ := GenerateSigningKey()
	k3, err := LoadSigningKey(skey+"\n", dir, true)
	if err != nil || k3.VerifierKey != vkey {
		t.Fatalf("configured key: %+v %v", k3, err)
	}
	if _, err := ParseSigningKey("PRIVATE+KEY+nonsense"); err == nil {
		t.Fatal("accepted a malformed key")
	}
}

func TestRunVerificationRecordsResult(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		ctx := context.Background()
		k := testKey(t)
		l, path := openOn(t, be, Options{})
		if err := l.StartCheckpoints(CheckpointConfig{Key: k, Every: 5, Logger: slog.New(slog.DiscardHandler)}); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 12; i++ {
			if _, err := l.Append(ctx, sampleEvent(i)); err != nil {
				t.Fatal(err)
			}
		}
		st, err := l.VerificationStatus(ctx)
		if err != nil || st.Last != nil || st.Running {
			t.Fatalf("before: %+v %v", st, err)
		}
		who := Actor{StaffID: 2, Email: "sup@example.com"}
		if !l.StartVerification(who) {
			t.Fatal("verification did not start")
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			st, err = l.VerificationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Running && st.Last != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("verification did not finish")
			}
			time.Sleep(5 * time.Millisecond)
		}
		v := st.Last
		if !v.OK || !v.Checked || v.Events != 12 || v.Matched < 1 || v.By != "sup@example.com" {
			t.Fatalf("verification = %+v", v)
		}
		// An edit is reported by the next verification.
		tamperOn(t, be, path, `UPDATE events SET reason = 'edited' WHERE seq = 3`)
		v2, err := l.runVerification(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		if v2.OK || v2.FirstBad != 3 {
			t.Fatalf("tampered: %+v", v2)
		}
		st, _ = l.VerificationStatus(ctx)
		if st.Last.OK || st.Last.FirstBad != 3 || st.Last.Seq != v2.Seq || st.Last.Reason == "" {
			t.Fatalf("status after tamper: %+v", st.Last)
		}
	})
}
