package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	osuser "os/user"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
	"ordercare/internal/staff"
)

// resetFactor is `admin user reset-factor --email MEMBER --as ADMIN`: one
// admin's step of a second-factor reset, under the rule the staff page
// follows (two admins, neither the member). A shell on the server proves
// no admin's identity, so the command never stands for one by itself: the
// admin named by --as signs in with their password and a code of their
// own second factor (stdin, one a line), and then their step is taken as
// a click on /staff would take it: asking when nobody has, approving (and
// removing the factor) when another admin asked.
func resetFactor(ctx context.Context, args []string, e env) error {
	fl := flag.NewFlagSet("admin user reset-factor", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	dbFlag := fl.String("db", "", "admin database file [ORDERCARE_DB, default "+config.DefaultDB+"]")
	email := fl.String("email", "", "the member whose second factor is reset")
	as := fl.String("as", "", "the admin taking this step; their password and a current code are read from stdin, one a line")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fl.Arg(0))
	}
	if *email == "" || *as == "" {
		return errors.New("usage: admin user reset-factor --email MEMBER --as ADMIN (the admin's password and a current code on stdin, one a line)")
	}
	password, code, err := readPasswordAndCode(e.stdin)
	if err != nil {
		return err
	}
	url, err := config.StorageDatabaseURL(e.getenv)
	if err != nil {
		return err
	}
	// auditPath is audit.db beside admin.db, or the postgres:// URL of the
	// database the instances share (recordCLIEvent).
	var auditPath string
	var d *db.DB
	if url != "" {
		key, err := fleetStaffKey(*dbFlag, e.getenv)
		if err != nil {
			return err
		}
		// The instances' own tables, under their writer lock, as the
		// other user commands on a fleet.
		if d, err = db.OpenPostgres(ctx, url, db.AdminWriter); err != nil {
			return err
		}
		defer d.Close()
		auditPath = url
		return resetFactorStep(ctx, e, d, key, auditPath, *email, *as, password, code)
	}
	path, err := config.StoragePath(*dbFlag, e.getenv)
	if err != nil {
		return err
	}
	cfg := config.Config{DBPath: path}
	key, err := os.ReadFile(cfg.StaffKeyPath()) // #nosec G304 -- staff.key in the operator's own configured data folder
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s is missing: without the key that seals the second factors none can be checked (the back office creates it at its first start)", cfg.StaffKeyPath())
	}
	if err != nil || len(key) != staff.SealKeySize {
		return fmt.Errorf("%s: not a staff key of %d bytes", cfg.StaffKeyPath(), staff.SealKeySize)
	}
	release, err := holdFolder(path)
	if err != nil {
		return err
	}
	defer release()
	if d, err = db.Open(ctx, path, db.SyncNormal); err != nil {
		return err
	}
	defer d.Close()
	auditPath = cfg.AuditDBPath()
	return resetFactorStep(ctx, e, d, key, auditPath, *email, *as, password, code)
}

// fleetStaffKey is the key that seals the second factors of a fleet, as
// the instances read it: ORDERCARE_STAFF_KEY, else the copy of staff.key
// beside ORDERCARE_DB that every instance was given. None is ever made: a
// key of the command's own opens no member's second factor.
func fleetStaffKey(dbFlag string, getenv func(string) string) ([]byte, error) {
	if v := strings.TrimSpace(getenv(config.EnvStaffKey)); v != "" {
		key, err := hex.DecodeString(v)
		if err != nil || len(key) != staff.SealKeySize {
			return nil, fmt.Errorf("%s: must be %d bytes in hex", config.EnvStaffKey, staff.SealKeySize)
		}
		return key, nil
	}
	path := dbFlag
	if path == "" {
		if path = getenv("ORDERCARE_DB"); path == "" {
			path = config.DefaultDB
		}
	}
	keyPath := config.Config{DBPath: path}.StaffKeyPath()
	key, err := os.ReadFile(keyPath) // #nosec G304 -- staff.key in the operator's own configured data folder
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("staff key: with %s set give %s, the key every instance seals the second factors with, or a copy of their staff.key at %s",
			config.EnvDatabaseURL, config.EnvStaffKey, keyPath)
	}
	if err != nil || len(key) != staff.SealKeySize {
		return nil, fmt.Errorf("%s: not a staff key of %d bytes", keyPath, staff.SealKeySize)
	}
	return key, nil
}

// resetFactorStep takes the admin's step on the opened staff tables and
// records it in the audit log at auditPath.
func resetFactorStep(ctx context.Context, e env, d *db.DB, key []byte, auditPath, email, as, password, code string) error {
	st, err := staff.Open(ctx, d, staff.Options{SealKey: key})
	if err != nil {
		return err
	}
	admin, reason, err := cliAdmin(ctx, st, as, password, code)
	if reason != "" {
		// A refused sign-in is recorded as the sign-in page records one.
		ev := audit.Event{Kind: audit.KindSignInFailed, Reason: reason, Actor: audit.Actor{Email: strings.ToLower(truncateEmail(as)), UserAgent: "ordercare admin CLI"},
			Detail: map[string]string{"via": "admin user reset-factor"}}
		if admin != nil {
			ev.Kind, ev.Actor.StaffID, ev.Actor.Role = audit.KindSecondFactor, admin.ID, string(admin.Role)
			ev.Detail["step"] = audit.FactorFailed
		}
		if rerr := recordCLIEvent(ctx, e.getenv, auditPath, ev); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if err != nil {
		return err
	}
	target, err := st.GetByEmail(ctx, email)
	if errors.Is(err, staff.ErrNotFound) {
		return fmt.Errorf("--email: no staff member %s", email)
	}
	if err != nil {
		return err
	}
	step := audit.FactorRemoved
	r, err := st.ApproveFactorReset(ctx, target.ID, admin.ID)
	if errors.Is(err, staff.ErrNoReset) {
		step = audit.FactorResetRequested
		r, err = st.RequestFactorReset(ctx, target.ID, admin.ID)
	}
	switch {
	case errors.Is(err, staff.ErrResetSameAdmin):
		return fmt.Errorf("you asked for this reset already: another admin must approve it (on /staff, or with this command as themselves)")
	case errors.Is(err, staff.ErrResetOwn):
		return errors.New("an admin does not reset their own second factor: remove it on your account page, or ask two other admins")
	case errors.Is(err, staff.ErrNoEnrolment):
		return fmt.Errorf("%s has no second factor to reset", target.Email)
	case err != nil:
		return err
	}
	d2 := map[string]string{"step": step, "factor": staff.FactorTOTP, "target_id": strconv.FormatInt(target.ID, 10),
		"target_email": target.Email, "requested_by": strconv.FormatInt(r.RequestedBy, 10), "via": "admin user reset-factor"}
	if step == audit.FactorRemoved {
		d2["approved_by"] = strconv.FormatInt(admin.ID, 10)
	}
	if u, err := osuser.Current(); err == nil {
		d2["os_user"] = u.Username
	}
	if err := recordCLIEvent(ctx, e.getenv, auditPath, audit.Event{Kind: audit.KindSecondFactor, Reason: "reset by two admins",
		Actor: audit.Actor{StaffID: admin.ID, Email: admin.Email, Role: string(admin.Role), UserAgent: "ordercare admin CLI"}, Detail: d2}); err != nil {
		return err
	}
	if step == audit.FactorRemoved {
		fmt.Fprintf(e.stdout, "removed the second factor of %s; they set up a new one after their next sign-in\n", target.Email)
	} else {
		fmt.Fprintf(e.stdout, "asked to reset the second factor of %s: another admin must approve it (on /staff, or with this command as themselves)\n", target.Email)
	}
	return nil
}

// cliAdmin signs the admin in as the sign-in page would, with the same
// throttle (the command line is one client address, "cli"): password,
// then a code of their second factor, which an admin acting on another
// member's second factor must have. A refusal comes with its reason for
// the audit log, and with the member when the password was right.
func cliAdmin(ctx context.Context, st *staff.Store, email, password, code string) (*staff.Member, string, error) {
	const addr = "cli"
	m, err := st.Authenticate(ctx, email, password, addr)
	var le *staff.LockedError
	switch {
	case errors.As(err, &le):
		return nil, staff.FailureReason(err), errors.New("--as: " + le.Message(time.Now()))
	case errors.Is(err, staff.ErrInvalidCredentials):
		return nil, staff.FailureReason(err), errors.New("--as: wrong e-mail or password")
	case err != nil:
		return nil, "", err
	}
	if m.Role != staff.RoleAdmin {
		return nil, "", fmt.Errorf("--as: %s is not an admin", m.Email)
	}
	has, err := st.HasSecondFactor(ctx, m.ID)
	if err != nil {
		return nil, "", err
	}
	if !has {
		return nil, "", fmt.Errorf("--as: %s has no second factor; an admin resets another member's only after proving their own (set one up on /account)", m.Email)
	}
	_, err = st.VerifySecondFactor(ctx, m, code, addr)
	switch {
	case errors.As(err, &le):
		return m, "locked_" + le.Scope, errors.New("--as: " + le.Message(time.Now()))
	case errors.Is(err, staff.ErrBadCode):
		return m, "wrong_or_used_code", errors.New("--as: wrong or already used code")
	case err != nil:
		return nil, "", err
	}
	return m, "", nil
}

// truncateEmail bounds what was typed as an account name for the log.
func truncateEmail(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 254 {
		s = s[:254]
	}
	return s
}

// readPasswordAndCode reads two lines: the password and the code.
func readPasswordAndCode(stdin io.Reader) (string, string, error) {
	if stdin == nil {
		return "", "", errors.New("give the admin's password and a current code on stdin, one a line")
	}
	r := bufio.NewReader(io.LimitReader(stdin, staff.MaxPasswordLen+64))
	var lines [2]string
	for i := range lines {
		line, err := r.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", "", fmt.Errorf("reading stdin: %w", err)
		}
		lines[i] = strings.TrimRight(line, "\r\n")
	}
	if lines[0] == "" || strings.TrimSpace(lines[1]) == "" {
		return "", "", errors.New("give the admin's password and a current code on stdin, one a line")
	}
	return lines[0], strings.TrimSpace(lines[1]), nil
}

// recordCLIEvent appends an event made by the command line to the audit
// log and signs a checkpoint over it when the server is stopped (as
// recordStaffChange does). auditPath may be a postgres:// URL: the log
// the instances share, whose checkpoints the running instances sign.
func recordCLIEvent(ctx context.Context, getenv func(string) string, auditPath string, ev audit.Event) error {
	onPostgres := strings.HasPrefix(auditPath, "postgres://") || strings.HasPrefix(auditPath, "postgresql://")
	var l *audit.Log
	var err error
	if onPostgres {
		l, err = audit.OpenWith(ctx, "", audit.Options{DatabaseURL: auditPath})
	} else {
		release, herr := holdFolder(auditPath)
		if herr != nil {
			return fmt.Errorf("the change was made, but not recorded in the audit log: %w", herr)
		}
		defer release()
		l, err = audit.Open(ctx, auditPath)
	}
	if err != nil {
		return fmt.Errorf("the change was made, but the audit log could not be opened to record it: %w", err)
	}
	defer l.Close()
	if _, err := l.Append(ctx, ev); err != nil {
		return fmt.Errorf("the change was made, but recording it in the audit log failed: %w", err)
	}
	if onPostgres {
		return nil
	}
	return signWhileStopped(ctx, l, auditPath, getenv, 1)
}
