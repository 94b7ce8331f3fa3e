package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/config"
)

const auditUsage = "usage: admin audit verify [-db ADMIN_DB] [-checkpoints FILE [-key PUBFILE]] | admin audit keygen [-db ADMIN_DB]"

// auditCmd: `admin audit verify` walks the hash chain of audit.db (read
// only, safe while the server runs) and fails with the first bad event;
// with -checkpoints it also checks every signed checkpoint of FILE against
// the chain, which catches a chain rewritten end to end. `admin audit
// keygen` creates the checkpoint signing key beside the database.
func auditCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, args[1:], e)
	case "keygen":
		return auditKeygen(args[1:], e)
	}
	return errors.New(auditUsage)
}

func auditVerify(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("admin audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file; audit.db is beside it [ORDERCARE_DB, default "+config.DefaultDB+"]")
	cpFlag := fs.String("checkpoints", "", "signed checkpoint file to check the log against (the server writes "+audit.CheckpointsFileName+" beside audit.db)")
	keyFlag := fs.String("key", "", "verifier key file of the checkpoints (default: "+audit.PubFileName+" beside the database)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path, err := config.StoragePath(*dbFlag, e.getenv)
	if err != nil {
		return err
	}
	auditPath := config.Config{DBPath: path}.AuditDBPath()
	if *cpFlag == "" {
		res, err := audit.VerifyFile(ctx, auditPath)
		if err != nil {
			return err
		}
		if !res.OK {
			return fmt.Errorf("audit log broken at event %d of %d: %s", res.FirstBad, res.Events, res.Reason)
		}
		fmt.Fprintf(e.stdout, "audit log ok: %d events, hash chain intact (signed checkpoints not checked: add -checkpoints FILE)\n", res.Events)
		return nil
	}
	keyPath := *keyFlag
	if keyPath == "" {
		keyPath = filepath.Join(filepath.Dir(path), audit.PubFileName)
	}
	v, err := audit.ReadVerifierKey(keyPath)
	if err != nil {
		return err
	}
	file, err := os.ReadFile(*cpFlag)
	if err != nil {
		return fmt.Errorf("checkpoint file: %w", err)
	}
	rep, err := audit.VerifyCheckpointsFile(ctx, auditPath, file, v)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stderr, "problem: "+p)
	}
	if !rep.Chain.OK {
		return fmt.Errorf("audit log broken at event %d of %d: %s", rep.Chain.FirstBad, rep.Chain.Events, rep.Chain.Reason)
	}
	if !rep.OK() {
		return fmt.Errorf("audit log does not match its signed checkpoints: %d of %d checkpoints fail (listed above)", len(rep.Problems), rep.Checkpoints)
	}
	fmt.Fprintf(e.stdout, "audit log ok: %d events, hash chain intact; %d of %d signed checkpoints match, the latest covers %d events (signed %s); %d events since\n",
		rep.Chain.Events, rep.Matched, rep.Checkpoints, rep.Latest.Count, rep.Latest.Time.Format(time.RFC3339), rep.Uncovered)
	return nil
}

// auditKeygen writes a new checkpoint signing key (0600) and its verifier
// key beside the database; it never replaces an existing key.
func auditKeygen(args []string, e env) error {
	fs := flag.NewFlagSet("admin audit keygen", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file; the key files go beside it [ORDERCARE_DB, default "+config.DefaultDB+"]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	path, err := config.StoragePath(*dbFlag, e.getenv)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(filepath.Join(dir, audit.KeyFileName)); err == nil {
		return fmt.Errorf("%s already exists; remove it first to make a new key (old checkpoints then need the old %s)",
			filepath.Join(dir, audit.KeyFileName), audit.PubFileName)
	}
	k, err := audit.LoadSigningKey("", dir, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "signing key written to %s (keep it secret; or set ORDERCARE_AUDIT_SIGNING_KEY from it and delete the file)\nverifier key: %s (also in %s)\n",
		filepath.Join(dir, audit.KeyFileName), k.VerifierKey, filepath.Join(dir, audit.PubFileName))
	return nil
}
