package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/app"
	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
	"ordercare/internal/staff"
)

// TestBackupWhileServingRestores: `admin backup DIR` runs while the server
// serves and keeps writing (audit events and staff accounts arrive all the
// time); the copies, restored into a fresh folder, pass integrity_check,
// open as a back office's databases, the audit copy's chain verifies
// (`admin audit verify` on the restored files) and is an exact prefix of
// the live log: the snapshot lost nothing it had claimed.
func TestBackupWhileServingRestores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dataDir := filepath.Join(t.TempDir(), "data")
	cfg := config.Config{Addr: "127.0.0.1:0", DBPath: filepath.Join(dataDir, "admin.db"), OMProvider: "kustom", OMTimeout: 10 * time.Second}
	a, err := app.Build(ctx, cfg, app.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), app.WithOutput(io.Discard),
		app.WithStaffOptions(apptest.CheapHashing()))
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopServer := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Run(runCtx) }()
	defer func() {
		stopServer()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()

	// Writers: audit events and new staff accounts, until the backups end.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := a.Audit().Append(ctx, audit.Event{Time: time.Now(), Kind: audit.KindSignInFailed,
					Actor: audit.Actor{Email: fmt.Sprintf("w%d-%d@example.com", w, i), ClientIP: "192.0.2.9"}}); err != nil {
					t.Error(err)
					return
				}
				if i%10 == 0 {
					if _, err := a.Staff().Add(ctx, fmt.Sprintf("new%d-%d@example.com", w, i), staff.RoleAgent, "a long enough password"); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	time.Sleep(100 * time.Millisecond) // let the writers get going (not a timing assertion)

	backups := t.TempDir()
	var dirs []string
	for i := range 2 {
		dir := filepath.Join(backups, fmt.Sprintf("b%d", i))
		e, out, _ := testEnv(map[string]string{"ORDERCARE_DB": cfg.DBPath}, nil)
		if err := run(ctx, []string{"backup", dir}, e); err != nil {
			t.Fatalf("admin backup: %v", err)
		}
		if !strings.Contains(out.String(), "hash chain intact") || !strings.Contains(out.String(), "backup written to") {
			t.Fatalf("backup output: %s", out)
		}
		dirs = append(dirs, dir)
	}
	close(stop)
	wg.Wait()

	for _, dir := range dirs {
		// Restore: the files into a new data folder, as an operator would.
		restored := filepath.Join(t.TempDir(), "restored")
		if err := os.MkdirAll(restored, 0o750); err != nil {
			t.Fatal(err)
		}
		// audit.pub and the copy's checkpoints come along, so that the
		// copy is verified against what was signed.
		for _, name := range []string{"admin.db", "audit.db", "sandbox.db", audit.PubFileName, audit.CheckpointsFileName} {
			b, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("backup lacks %s: %v", name, err)
			}
			if err := os.WriteFile(filepath.Join(restored, name), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		for _, name := range []string{"admin.db", "audit.db", "sandbox.db"} {
			d, err := db.Open(ctx, filepath.Join(restored, name), db.SyncNormal)
			if err != nil {
				t.Fatalf("restored %s does not open: %v", name, err)
			}
			if err := d.IntegrityCheck(ctx); err != nil {
				t.Fatalf("restored %s: %v", name, err)
			}
			_ = d.Close()
		}
		e, out, _ := testEnv(nil, nil)
		if err := run(ctx, []string{"audit", "verify", "-db", filepath.Join(restored, "admin.db")}, e); err != nil {
			t.Fatalf("audit verify of the restored copy: %v", err)
		}
		if !strings.Contains(out.String(), "hash chain intact") {
			t.Fatalf("audit verify: %s", out)
		}
		// The copy is a prefix of the live log, event for event.
		copyLog, err := audit.Open(ctx, filepath.Join(restored, "audit.db"))
		if err != nil {
			t.Fatal(err)
		}
		n, head, err := copyLog.Head(ctx)
		if err != nil || n == 0 {
			t.Fatalf("restored audit head %d %v", n, err)
		}
		live, err := a.Audit().Event(ctx, n)
		if err != nil || live.Hash != head {
			t.Fatalf("restored event %d hash %s, live %s (%v)", n, head, live.Hash, err)
		}
		_ = copyLog.Close()
		// The staff accounts came along (the demo accounts at least).
		d, err := db.Open(ctx, filepath.Join(restored, "admin.db"), db.SyncNormal)
		if err != nil {
			t.Fatal(err)
		}
		st, err := staff.Open(ctx, d, staff.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.GetByEmail(ctx, "agent@example.com"); err != nil {
			t.Fatalf("restored staff: %v", err)
		}
		_ = d.Close()
	}
}

func TestBackupRefusesUsedFolderAndMissingDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	e, _, _ := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "nothing", "admin.db")}, nil)
	if err := run(ctx, []string{"backup", filepath.Join(dir, "b")}, e); err == nil || !strings.Contains(err.Error(), "nothing to back up") {
		t.Fatalf("missing database: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nothing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("backup created the missing data folder")
	}
	d, err := db.Open(ctx, filepath.Join(dir, "data", "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	used := filepath.Join(dir, "used")
	if err := os.MkdirAll(used, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(used, "admin.db"), []byte("older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, _, _ = testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dir, "data", "admin.db")}, nil)
	if err := run(ctx, []string{"backup", used}, e); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("used folder: %v", err)
	}
	if err := run(ctx, []string{"backup"}, e); err == nil {
		t.Fatal("backup without a folder succeeded")
	}
}

// With ORDERCARE_DATABASE_URL set the instances keep nothing in admin.db:
// admin backup refuses rather than copy a stale file beside ORDERCARE_DB.
func TestBackupRefusesTheSharedDatabase(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	d, err := db.Open(t.Context(), filepath.Join(dataDir, "admin.db"), db.SyncNormal) // a stale file from before the move
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	e, _, _ := testEnv(map[string]string{"ORDERCARE_DB": filepath.Join(dataDir, "admin.db"),
		config.EnvDatabaseURL: "postgres://ordercare:s3cret@db.internal/ordercare"}, nil)
	err = run(t.Context(), []string{"backup", filepath.Join(t.TempDir(), "copy")}, e)
	if err == nil || !strings.Contains(err.Error(), config.EnvDatabaseURL) || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("backup with the shared database configured: %v", err)
	}
}
