package app_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/app"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/omsim"
	"ordercare/internal/outbox"
	"ordercare/internal/witness"
)

// In sandbox mode the first start creates the checkpoint key (0600) and
// its verifier key; stopping writes a checkpoint the key verifies.
func TestSandboxStartSignsCheckpoints(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	_, stop := start(t, cfg, io.Discard)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(cfg.DBPath)
	fi, err := os.Stat(filepath.Join(dir, audit.KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	v, err := audit.ReadVerifierKey(filepath.Join(dir, audit.PubFileName))
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(dir, audit.CheckpointsFileName))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.VerifySources(t.Context(), cfg.AuditDBPath(), []audit.CheckpointSource{{Notes: file, Local: true}}, v)
	if err != nil || !rep.OK() || rep.Matched == 0 || rep.Uncovered != 0 {
		t.Fatalf("checkpoints after a sandbox run: %+v %v", rep, err)
	}
}

// Against a provider, the key must be configured: without one the back
// office still starts (checkpoints off, said in the log) and creates no key.
func TestProviderModeNeedsAConfiguredKey(t *testing.T) {
	t.Parallel()
	sb, err := omsim.New(t.Context(), omsim.Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	cfg := testConfig(t)
	cfg.OMURL, cfg.OMUser, cfg.OMPassword = srv.URL, "u", "p"
	a, stop := start(t, cfg, io.Discard)
	if a.Audit().CheckpointStatus().Enabled {
		t.Fatal("checkpoints on without a configured key")
	}
	stop()
	if _, err := os.Stat(filepath.Join(filepath.Dir(cfg.DBPath), audit.KeyFileName)); !os.IsNotExist(err) {
		t.Fatalf("a key was generated outside sandbox mode: %v", err)
	}
	// With the key configured, checkpoints are on.
	skey, _, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg2 := testConfig(t)
	cfg2.OMURL, cfg2.OMUser, cfg2.OMPassword, cfg2.AuditSigningKey = srv.URL, "u", "p", skey
	b, _ := start(t, cfg2, io.Discard)
	if !b.Audit().CheckpointStatus().Enabled {
		t.Fatal("checkpoints off with a configured key")
	}
}

// crashed makes the data folder look as a crash leaves it: a stop signs a
// checkpoint marked stopped, after which nothing may be appended unsigned,
// and a crash signs none, so the newest is dropped again. Tests that
// append the events a crash leaves behind call it.
func crashed(t *testing.T, cfg config.Config) {
	t.Helper()
	path := filepath.Join(filepath.Dir(cfg.DBPath), audit.CheckpointsFileName)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	notes := audit.SplitCheckpoints(b)
	if len(notes) == 0 || !strings.Contains(string(notes[len(notes)-1]), "\nstopped\n") {
		t.Fatalf("the newest checkpoint is not the stop's: %q", notes)
	}
	if err := os.WriteFile(path, bytes.Join(notes[:len(notes)-1], nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

// With outbound events on, every signed checkpoint goes to the merchant
// as an audit.checkpoint event; the notes it stores verify the log from
// outside the data folder.
func TestCheckpointsArePublished(t *testing.T) {
	t.Parallel()
	const secret = "merchant-secret-0123456789"
	var mu sync.Mutex
	var notes [][]byte
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := outbox.Verify([]byte(secret), r.Header.Get(outbox.SignatureHeader), body, time.Now(), outbox.DefaultTolerance); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var ev outbox.CheckpointEvent
		if json.Unmarshal(body, &ev) == nil && ev.Type == outbox.CheckpointType {
			mu.Lock()
			notes = append(notes, []byte(ev.Note))
			mu.Unlock()
		}
	}))
	t.Cleanup(recv.Close)
	cfg := testConfig(t)
	cfg.OutboundURL, cfg.OutboundSecret = recv.URL, secret
	a, stop := start(t, cfg, io.Discard)
	for range 3 {
		if _, err := a.Audit().Append(t.Context(), audit.Event{Kind: audit.KindSignIn, Actor: audit.Actor{StaffID: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := stop(); err != nil { // signs the stop's checkpoint
		t.Fatal(err)
	}
	start(t, cfg, io.Discard) // delivers it
	waitFor(t, "the stop's checkpoint at the receiver", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(notes) >= 2
	})
	v, err := audit.ReadVerifierKey(filepath.Join(filepath.Dir(cfg.DBPath), audit.PubFileName))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	file := bytes.Join(notes, nil)
	mu.Unlock()
	rep, err := audit.VerifySources(t.Context(), cfg.AuditDBPath(), []audit.CheckpointSource{{Name: "shop", Notes: file}}, v)
	if err != nil || !rep.OK() || rep.Latest.Count < 3 {
		t.Fatalf("the shop's notes against the log: %+v %v", rep, err)
	}
}

// With a witness configured, the back office hands it every checkpoint
// (it co-signs them) and starts only on a log that reaches what the
// witness co-signed.
func TestCheckpointsGoToTheWitness(t *testing.T) {
	t.Parallel()
	skey, vkey, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	lv, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	wkey, _, err := audit.GenerateSigningKey()
	if err != nil {
		t.Fatal(err)
	}
	ws, err := note.NewSigner(wkey)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(witness.New(t.TempDir(), lv, ws))
	t.Cleanup(srv.Close)
	c := witness.Client{URL: srv.URL, HTTP: srv.Client(), Log: lv}

	cfg := testConfig(t)
	cfg.AuditSigningKey, cfg.AuditWitnessURL = skey, srv.URL
	a, stop := start(t, cfg, io.Discard)
	for range 3 {
		if _, err := a.Audit().Append(t.Context(), audit.Event{Kind: audit.KindSignIn, Actor: audit.Actor{StaffID: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	n, _, err := a.Audit().Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	b, stop2 := start(t, cfg, io.Discard) // its start checkpoint covers the 3 events
	waitFor(t, "the witness co-signing the log's head", func() bool {
		cp, _, err := c.Latest(t.Context())
		return err == nil && cp.Count >= n
	})
	_ = b
	if err := stop2(); err != nil {
		t.Fatal(err)
	}

	// The log loses its last event (and the folder its newer checkpoints,
	// so only the witness knows): the start is refused.
	d, err := sql.Open("sqlite", cfg.AuditDBPath())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER events_no_delete`, `DELETE FROM events WHERE seq = (SELECT max(seq) FROM events)`} {
		if _, err := d.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	path := filepath.Join(filepath.Dir(cfg.DBPath), audit.CheckpointsFileName)
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, audit.CheckpointsUpTo(file, lv, n-1), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = app.Build(t.Context(), cfg, app.WithLogger(slog.New(slog.DiscardHandler)), app.WithOutput(io.Discard), app.WithStaffOptions(cheap))
	if err == nil || !strings.Contains(err.Error(), "the witness at "+srv.URL) {
		t.Fatalf("start on a log behind its witness: %v", err)
	}
}

// The attempt page offers the proof of the attempt's events in the newest
// signed checkpoint; it checks with the verifier key alone.
func TestAttemptProofDownload(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.DemoPassword = "attempt proof demo password"
	a, stop := start(t, cfg, io.Discard)
	actor := audit.Actor{StaffID: 1, Email: "agent@example.com", Role: "agent"}
	for _, e := range []audit.Event{
		{Kind: audit.KindRequested, AttemptID: "proof-1", Actor: actor, OrderID: "order-9", Action: "cancel", Reason: "customer asked"},
		{Kind: audit.KindCompleted, AttemptID: "proof-1", Actor: actor, OrderID: "order-9", Action: "cancel", Outcome: audit.OutcomeSucceeded, HTTPStatus: 204},
	} {
		if _, err := a.Audit().Append(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
	if err := stop(); err != nil { // a checkpoint covers both
		t.Fatal(err)
	}
	b, _ := start(t, cfg, io.Discard)
	c := signIn(t, b.URL(), "supervisor@example.com", cfg.DemoPassword)
	resp, err := c.Get(b.URL() + "/audit/attempts/proof-1/proof.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var proofs []audit.InclusionProof
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&proofs) != nil || len(proofs) != 2 {
		t.Fatalf("proof download: %s, %d proofs", resp.Status, len(proofs))
	}
	v, err := audit.ReadVerifierKey(filepath.Join(filepath.Dir(cfg.DBPath), audit.PubFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range proofs {
		if _, err := audit.CheckInclusion(p, v); err != nil {
			t.Fatalf("proof of event %d: %v", p.Seq, err)
		}
	}
	page, err := c.Get(b.URL() + "/audit/attempts/proof-1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if !strings.Contains(string(body), `href="/audit/attempts/proof-1/proof.json"`) {
		t.Fatal("the attempt page does not offer the proof")
	}
}
