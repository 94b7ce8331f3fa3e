// Command admin is the ordercare back office: `admin` (or `admin serve`)
// runs it; `admin sandbox` runs the Order Management sandbox on its own;
// `admin user ...` manages staff accounts; `admin audit verify` checks the
// audit log against its hash chain and signed checkpoints. Errors end with one line and exit status 1.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], env{getenv: os.Getenv, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, process: true})
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "admin: "+oneLine(err.Error()))
		os.Exit(1)
	}
}

// env is the process's outside world, replaceable in tests.
type env struct {
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer
	// process is set for the real process (main), whose logger may become
	// slog's default; tests running commands side by side leave it unset.
	process bool
}

func (e env) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

const usage = `Usage:
  admin [serve] [flags]          run the back office (see 'admin serve -h' for every setting)
  admin sandbox [flags]          run the Order Management sandbox with demo orders on its own
  admin shopsim --platform elasticpath [--addr A] [--client-id I --client-secret S]
                                 run the shop platform's sandbox with the demo orders' shop side on its own
  admin user add --email E --role agent|supervisor|admin|auditor
                                 add a staff member (password from stdin, or generated and printed)
  admin user list                list staff members
  admin user disable E           disable a member and end their sessions
  admin user enable E            let a disabled member sign in again
  admin user reset-factor --email E --as ADMIN
                                 an admin's step of a second-factor reset (two admins, as on /staff);
                                 the admin's password and a current code from stdin, one a line
  admin audit verify [-checkpoints FILE]... [-key PUBFILE] [-chain-only]
                                 check the audit log's hash chain against every signed checkpoint
                                 (audit.checkpoints, and copies kept elsewhere)
  admin audit acknowledge -reason TEXT [-by NAME]
                                 record a restore of audit.db from a backup (the events it lost)
  admin audit keygen             create the checkpoint signing key (audit.key, audit.pub) beside the database;
                                 with ORDERCARE_DATABASE_URL print a key pair for the fleet, no file written
  admin audit rotate-key         replace the signing key, the hand-over signed with both keys (back office
                                 stopped; with ORDERCARE_DATABASE_URL every instance, and the new key printed)
  admin audit prove SEQ          print the proof (JSON) that event SEQ is in the newest signed checkpoint
  admin audit check-proof FILE -key audit.pub
                                 check such a proof offline, with the verifier key alone
  admin index import FILE.csv    index the orders a CSV names (column order_id or the first holding ids);
                                 resumable, at ORDERCARE_IMPORT_RATE reads per second
  admin witness -log-key audit.pub [-addr A] [-dir D]
                                 serve a checkpoint witness for a back office's audit log (run it elsewhere)
  admin backup DIR               copy admin.db and audit.db into the new folder DIR (safe while serving)
  admin migrate-to-postgres --from DIR --to postgres://…
                                 copy a stopped SQLite install into an empty PostgreSQL database or schema
                                 (the audit log verified before and after)
`

func run(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || (len(args[0]) > 0 && args[0][0] == '-' && args[0] != "-h" && args[0] != "--help" && args[0] != "-help") {
		return serve(ctx, args, e)
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], e)
	case "sandbox":
		return sandbox(ctx, args[1:], e)
	case "shopsim":
		return shopsim(ctx, args[1:], e)
	case "user":
		return user(ctx, args[1:], e)
	case "audit":
		return auditCmd(ctx, args[1:], e)
	case "index":
		return indexCmd(ctx, args[1:], e)
	case "backup":
		return backupCmd(ctx, args[1:], e)
	case "witness":
		return witnessCmd(ctx, args[1:], e)
	case "migrate-to-postgres":
		return migrateCmd(ctx, args[1:], e)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(e.stdout, usage+"\nSettings of 'admin serve' (flags win over the environment):\n\n")
		err := serve(ctx, []string{"-h"}, env{getenv: e.getenv, stdout: e.stdout, stderr: e.stdout})
		if errors.Is(err, flag.ErrHelp) {
			return flag.ErrHelp
		}
		return err
	}
	return fmt.Errorf("unknown command %q (run 'admin help')", args[0])
}

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\n' || r == '\r' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
