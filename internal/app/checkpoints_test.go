package app_test

import (
	"bytes"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/omsim"
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
	rep, err := audit.VerifyCheckpointsFile(t.Context(), cfg.AuditDBPath(), file, v)
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
