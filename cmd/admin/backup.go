package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
)

// backupCmd: `admin backup DIR` writes a consistent snapshot of admin.db
// and audit.db (and sandbox.db when there is one) into the new folder DIR,
// while the server keeps running: each file is copied with VACUUM INTO in
// one read transaction, then checked (integrity_check; the audit copy's
// hash chain is verified; audit.pub and the checkpoints that cover the
// copy come along, so the copy verifies on its own). DIR must not exist
// yet, or be empty, so a backup never overwrites another. To restore, stop
// the server and copy admin.db and audit.db back beside each other
// (ORDERCARE_DB names admin.db), keep the live audit.key and
// audit.checkpoints, and record the restore with `admin audit
// acknowledge` when the back office says events were lost.
func backupCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("admin backup", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file; audit.db and sandbox.db are beside it [ORDERCARE_DB, default "+config.DefaultDB+"]")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: admin backup [-db ADMIN_DB] DIR   (DIR: a new or empty folder)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: admin backup [-db ADMIN_DB] DIR (a new or empty folder for the copies)")
	}
	dir := fs.Arg(0)
	if strings.TrimSpace(e.getenv(config.EnvDatabaseURL)) != "" {
		return errors.New(config.EnvDatabaseURL + ": the instances keep their data in PostgreSQL, not in the files admin backup copies; back it up with PostgreSQL's own tools (pg_dump)")
	}
	// Not config.StoragePath: it creates the data folder, and a backup of
	// a mistyped path must not leave an empty one behind.
	path := *dbFlag
	if path == "" {
		path = config.DefaultDB
		if v := e.getenv("ORDERCARE_DB"); v != "" {
			path = v
		}
	}
	cfg := config.Config{DBPath: path}
	if _, err := os.Stat(cfg.DBPath); err != nil {
		return fmt.Errorf("nothing to back up: %w", err)
	}
	if err := emptyFolder(dir); err != nil {
		return err
	}

	if err := db.BackupFile(ctx, cfg.DBPath, filepath.Join(dir, "admin.db")); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "admin.db: copied, integrity ok\n")

	auditCopy := filepath.Join(dir, "audit.db")
	if err := db.BackupFile(ctx, cfg.AuditDBPath(), auditCopy); err != nil {
		return err
	}
	res, err := audit.VerifyFile(ctx, auditCopy)
	if err != nil {
		return err
	}
	if !res.OK {
		return fmt.Errorf("the audit log copy is broken at event %d of %d (%s): the live log needs checking with 'admin audit verify'", res.FirstBad, res.Events, res.Reason)
	}
	fmt.Fprintf(e.stdout, "audit.db: copied, integrity ok, %d events, hash chain intact\n", res.Events)
	if err := backupCheckpoints(filepath.Dir(cfg.DBPath), dir, res.Events); err != nil {
		return err
	}

	if _, err := os.Stat(cfg.SandboxDBPath()); err == nil {
		if err := db.BackupFile(ctx, cfg.SandboxDBPath(), filepath.Join(dir, "sandbox.db")); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "sandbox.db: copied, integrity ok\n")
	}
	fmt.Fprintf(e.stdout, "backup written to %s\n", dir)
	return nil
}

// backupCheckpoints copies audit.pub and the checkpoints that cover at
// most the copied log's n events, so `admin audit verify` checks the copy
// on its own. A restore copies back admin.db and audit.db only: the live
// audit.checkpoints and audit.key stay, and the back office then refuses
// the older log until `admin audit acknowledge` records the restore.
func backupCheckpoints(from, to string, n int64) error {
	pub := filepath.Join(from, audit.PubFileName)
	b, err := os.ReadFile(pub) // #nosec G304 -- audit.pub in the configured data folder
	if errors.Is(err, os.ErrNotExist) {
		return nil // checkpoints are off
	}
	if err != nil {
		return fmt.Errorf("audit.pub: %w", err)
	}
	v, err := audit.ReadVerifierKey(pub)
	if err != nil {
		return err
	}
	cps, err := os.ReadFile(filepath.Join(from, audit.CheckpointsFileName)) // #nosec G304 -- audit.checkpoints in the configured data folder
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("audit.checkpoints: %w", err)
	}
	if err := os.WriteFile(filepath.Join(to, audit.PubFileName), b, 0o644); err != nil { // #nosec G306 G703 -- a public key, into the backup folder the operator names
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.WriteFile(filepath.Join(to, audit.CheckpointsFileName), audit.CheckpointsUpTo(cps, v, n), 0o600); err != nil { // #nosec G703 -- the backup folder the operator names
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// emptyFolder creates dir, or accepts it when it exists and is empty.
func emptyFolder(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("cannot create backup folder: %w", err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("backup folder: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("backup folder %s is not empty: choose a new folder", dir)
	}
	return nil
}
