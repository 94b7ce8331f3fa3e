package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	osuser "os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
	"ordercare/internal/staff"
)

// user manages staff accounts in admin.db (safe while the server runs:
// SQLite WAL with busy timeouts), or with ORDERCARE_DATABASE_URL set in
// the PostgreSQL database the instances share (reset-factor there with
// the fleet's staff key).
func user(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return errors.New("missing subcommand: add, list, disable, enable or reset-factor")
	}
	sub, args := args[0], args[1:]
	if sub == "reset-factor" {
		return resetFactor(ctx, args, e)
	}
	fs := flag.NewFlagSet("admin user "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file [ORDERCARE_DB, default "+config.DefaultDB+"]")
	var email, role *string
	if sub == "add" {
		email = fs.String("email", "", "e-mail address (the sign-in name)")
		role = fs.String("role", "", "agent, supervisor, admin or auditor")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	// auditPath is audit.db beside admin.db, or the postgres:// URL of
	// the database the instances share (recordCLIEvent).
	var auditPath string
	open := func() (*staff.Store, func(), error) {
		url, err := config.StorageDatabaseURL(e.getenv)
		if err != nil {
			return nil, nil, err
		}
		var d *db.DB
		release := func() {}
		if url != "" {
			// The instances' own tables, under their writer lock: the
			// first admin of a fleet is added so.
			auditPath = url
			d, err = db.OpenPostgres(ctx, url, db.AdminWriter)
		} else {
			var path string
			if path, err = config.StoragePath(*dbFlag, e.getenv); err != nil {
				return nil, nil, err
			}
			auditPath = config.Config{DBPath: path}.AuditDBPath()
			if release, err = holdFolder(path); err != nil {
				return nil, nil, err
			}
			d, err = db.Open(ctx, path, db.SyncNormal)
		}
		if err != nil {
			release()
			return nil, nil, err
		}
		st, err := staff.Open(ctx, d, staff.Options{})
		if err != nil {
			_ = d.Close()
			release()
			return nil, nil, err
		}
		return st, func() { _ = d.Close(); release() }, nil
	}
	switch sub {
	case "add":
		if fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q", fs.Arg(0))
		}
		r, err := staff.ParseRole(*role)
		if err != nil {
			return err
		}
		if _, err := staff.NormalizeEmail(*email); err != nil {
			return fmt.Errorf("--email: %q is not a valid e-mail address", *email)
		}
		pw, generated, err := readPassword(e.stdin)
		if err != nil {
			return err
		}
		st, closeDB, err := open()
		if err != nil {
			return err
		}
		defer closeDB()
		m, err := st.Add(ctx, *email, r, pw)
		if err != nil {
			return err
		}
		source := "set by the operator"
		if generated {
			source = "generated"
		}
		if err := recordStaffChange(ctx, e.getenv, auditPath, m, "add", map[string]string{"role": string(m.Role), "password": source}); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s (%s), id %d\n", m.Email, m.Role, m.ID)
		if generated {
			fmt.Fprintf(e.stdout, "password: %s\n", pw)
		}
		return nil
	case "list":
		st, closeDB, err := open()
		if err != nil {
			return err
		}
		defer closeDB()
		list, err := st.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tE-MAIL\tROLE\tSTATE\tLAST SIGN-IN")
		for _, m := range list {
			state, last := "active", "never"
			if m.Disabled {
				state = "disabled"
			}
			if !m.LastSignInAt.IsZero() {
				last = m.LastSignInAt.Format(time.RFC3339)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", m.ID, m.Email, m.Role, state, last)
		}
		return tw.Flush()
	case "disable", "enable":
		if fs.NArg() != 1 {
			return fmt.Errorf("usage: admin user %s EMAIL", sub)
		}
		st, closeDB, err := open()
		if err != nil {
			return err
		}
		defer closeDB()
		m, err := st.GetByEmail(ctx, fs.Arg(0))
		if errors.Is(err, staff.ErrNotFound) {
			return fmt.Errorf("no staff member %s", fs.Arg(0))
		}
		if err != nil {
			return err
		}
		if sub == "disable" {
			err = st.Disable(ctx, m.ID)
		} else {
			err = st.Enable(ctx, m.ID)
		}
		if err != nil {
			return err
		}
		if err := recordStaffChange(ctx, e.getenv, auditPath, m, sub, nil); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%sd %s\n", sub, m.Email)
		return nil
	}
	return fmt.Errorf("unknown subcommand %q: add, list, disable, enable or reset-factor", sub)
}

// recordStaffChange writes a staff change made from the command line to
// the audit log, as the staff page does for changes made in the browser:
// the actor is the operating-system user who ran the command. The change
// is already made, so a failure is reported for the operator to act on.
func recordStaffChange(ctx context.Context, getenv func(string) string, auditPath string, target *staff.Member, change string, detail map[string]string) error {
	d := map[string]string{"change": change, "target_id": strconv.FormatInt(target.ID, 10), "target_email": target.Email,
		"via": "admin user " + change}
	for k, v := range detail {
		d[k] = v
	}
	actor := audit.Actor{Role: audit.CLIRole, UserAgent: "ordercare admin CLI"}
	if u, err := osuser.Current(); err == nil {
		actor.Email = "os:" + u.Username
	}
	return recordCLIEvent(ctx, getenv, auditPath, audit.Event{Kind: audit.KindStaff, Actor: actor, Outcome: audit.OutcomeSucceeded, Detail: d})
}

// readPassword takes the first line of stdin when it is piped, else
// generates a password (reported as generated, to print once).
func readPassword(stdin io.Reader) (string, bool, error) {
	if f, ok := stdin.(*os.File); ok {
		fi, err := f.Stat()
		if err != nil || fi.Mode()&os.ModeCharDevice != 0 {
			return generatePassword(), true, nil
		}
	}
	if stdin == nil {
		return generatePassword(), true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, staff.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("reading the password from stdin: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return generatePassword(), true, nil
	}
	return pw, false, nil
}

// generatePassword makes 20 characters from an unambiguous alphabet.
func generatePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
