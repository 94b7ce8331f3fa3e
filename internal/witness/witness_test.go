package witness

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/audit"
)

func key(t *testing.T) (audit.SigningKey, note.Verifier) {
	t.Helper()
	skey, vkey, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := audit.ParseSigningKey(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	return k, v
}

// signedLog appends n events (reason prefix p) with checkpoints every 5,
// each handed to the witness as it is signed; it returns the log's
// checkpoints' notes and the witness's refusals.
func signedLog(t *testing.T, k audit.SigningKey, c Client, n int, p string) (notes [][]byte, refused []string) {
	t.Helper()
	ctx := context.Background()
	l, err := audit.Open(ctx, filepath.Join(t.TempDir(), "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.StartCheckpoints(audit.CheckpointConfig{Key: k, Every: 5, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	l.PublishCheckpoints(func(cp audit.Checkpoint, msg []byte) {
		mu.Lock()
		defer mu.Unlock()
		notes = append(notes, msg)
		if _, err := c.Add(ctx, l, cp, msg); err != nil {
			refused = append(refused, err.Error())
		}
	})
	for i := range n {
		if _, err := l.Append(ctx, audit.Event{Kind: audit.KindSignIn, Reason: p + strings.Repeat("x", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return notes, refused
}

// The witness co-signs every consistent extension of what it holds and
// refuses a fork of the same log (same key, other events) and an older
// checkpoint.
func TestWitnessCosignsOnlyExtensions(t *testing.T) {
	t.Parallel()
	k, v := key(t)
	wk, wv := key(t)
	srv := httptest.NewServer(New(t.TempDir(), v, wk.Signer))
	t.Cleanup(srv.Close)
	c := Client{URL: srv.URL, HTTP: srv.Client(), Log: v}

	notes, refused := signedLog(t, k, c, 23, "a")
	if len(refused) > 0 {
		t.Fatalf("refused the log's own extensions: %q", refused)
	}
	held, msg, err := c.Latest(context.Background())
	if err != nil || held.Count != 23 || !held.Stopped {
		t.Fatalf("witness holds %+v %v", held, err)
	}
	if _, err := note.Open(msg, note.VerifierList(wv)); err != nil {
		t.Fatalf("not co-signed by the witness: %v", err)
	}

	// A fork: the same key over other events, longer.
	_, refused = signedLog(t, k, c, 30, "b")
	if len(refused) == 0 {
		t.Fatal("the witness co-signed a fork")
	}
	// An older checkpoint of the first log.
	resp, err := http.Post(srv.URL+"/add-checkpoint", "application/json",
		strings.NewReader(`{"old_size": 23, "checkpoint": `+quote(string(notes[1]))+`}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusConflict {
		t.Fatalf("an older checkpoint: %s", resp.Status)
	}
	if now, _, _ := c.Latest(context.Background()); now.Count != 23 || now.Head != held.Head {
		t.Fatalf("the witness moved: %+v", now)
	}
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// In a fleet each instance hands the witness the checkpoints it signed,
// so one may arrive after a newer one another instance handed over
// first: Fleet clients then send nothing, the newer covering it, instead
// of a refusal logged as an error.
func TestFleetClientSkipsOlderCheckpoints(t *testing.T) {
	t.Parallel()
	k, v := key(t)
	wk, _ := key(t)
	srv := httptest.NewServer(New(t.TempDir(), v, wk.Signer))
	t.Cleanup(srv.Close)
	c := Client{URL: srv.URL, HTTP: srv.Client(), Log: v}
	notes, refused := signedLog(t, k, c, 23, "a")
	if len(refused) > 0 {
		t.Fatalf("refused: %q", refused)
	}
	held, _, err := c.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	older, err := audit.OpenCheckpoint(notes[1], v)
	if err != nil || older.Count >= held.Count {
		t.Fatalf("older checkpoint %+v %v", older, err)
	}
	if _, err := c.Add(context.Background(), nil, older, notes[1]); err == nil {
		t.Fatal("a single instance's client sent an older checkpoint without a word")
	}
	c.Fleet = true
	if _, err := c.Add(context.Background(), nil, older, notes[1]); err != nil {
		t.Fatalf("a fleet client with an older checkpoint: %v", err)
	}
	if now, _, _ := c.Latest(context.Background()); now.Count != held.Count || now.Head != held.Head {
		t.Fatalf("the witness moved: %+v", now)
	}
}
