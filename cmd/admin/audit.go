package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"ordercare/internal/audit"
	"ordercare/internal/config"
)

// auditCmd: `admin audit verify` walks the hash chain of audit.db (read
// only, safe while the server runs) and fails with the first bad event.
func auditCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: admin audit verify [-db ADMIN_DB]")
	}
	fs := flag.NewFlagSet("admin audit verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file; audit.db is beside it [ORDERCARE_DB, default "+config.DefaultDB+"]")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	path, err := config.StoragePath(*dbFlag, e.getenv)
	if err != nil {
		return err
	}
	res, err := audit.VerifyFile(ctx, config.Config{DBPath: path}.AuditDBPath())
	if err != nil {
		return err
	}
	if !res.OK {
		return fmt.Errorf("audit log broken at event %d of %d: %s", res.FirstBad, res.Events, res.Reason)
	}
	fmt.Fprintf(e.stdout, "audit log ok: %d events, hash chain intact\n", res.Events)
	return nil
}
