package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"ordercare/internal/app"
	"ordercare/internal/audit"
	"ordercare/internal/config"
	"ordercare/internal/db"
)

const auditUsage = "usage: admin audit verify [-db ADMIN_DB] [-checkpoints FILE]... [-key PUBFILE] [-chain-only]" +
	" | admin audit acknowledge -reason TEXT [-by NAME] [-db ADMIN_DB] | admin audit keygen [-db ADMIN_DB] | admin audit rotate-key [-db ADMIN_DB]"

// auditCmd: `admin audit verify` checks audit.db (read only, safe while
// the server runs) against its hash chain and every signed checkpoint it
// can find; `admin audit acknowledge` records a restore from a backup;
// `admin audit keygen` creates the checkpoint signing key beside the
// database.
func auditCmd(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return errors.New(auditUsage)
	}
	switch args[0] {
	case "verify":
		return auditVerify(ctx, args[1:], e)
	case "acknowledge":
		return auditAcknowledge(ctx, args[1:], e)
	case "keygen":
		return auditKeygen(ctx, args[1:], e)
	case "rotate-key":
		return auditRotateKey(ctx, args[1:], e)
	case "prove":
		return auditProve(ctx, args[1:], e)
	case "check-proof":
		return auditCheckProof(args[1:], e)
	}
	return errors.New(auditUsage)
}

// parseAuditFlags parses the flags of `admin audit SUB`: -db and those
// define adds; it returns the admin database's path (audit.db and the
// key files are beside it) and the arguments after the flags.
func parseAuditFlags(sub string, args []string, e env, define func(*flag.FlagSet)) (string, []string, error) {
	fs := flag.NewFlagSet("admin audit "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file; audit.db and the audit key files are beside it [ORDERCARE_DB, default "+config.DefaultDB+"]")
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return "", nil, err
	}
	path, err := config.StoragePath(*dbFlag, e.getenv)
	return path, fs.Args(), err
}

// parseReadFlags is parseAuditFlags for the commands that only read the
// log (verify, prove): with ORDERCARE_DATABASE_URL set they read the
// fleet's log and checkpoints in that database, and url is returned
// (path then names the data folder, for audit.pub, and is not checked).
func parseReadFlags(sub string, args []string, e env, define func(*flag.FlagSet)) (path, url string, rest []string, err error) {
	url, err = config.StorageDatabaseURL(e.getenv)
	if err != nil || url == "" {
		path, rest, err = parseAuditFlags(sub, args, e, define)
		return path, "", rest, err
	}
	fs := flag.NewFlagSet("admin audit "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	dbFlag := fs.String("db", "", "admin database file; audit.pub is looked for beside it [ORDERCARE_DB, default "+config.DefaultDB+"]")
	if define != nil {
		define(fs)
	}
	if err := fs.Parse(args); err != nil {
		return "", "", nil, err
	}
	path = *dbFlag
	if path == "" {
		path = config.DefaultDB
		if v := e.getenv("ORDERCARE_DB"); v != "" {
			path = v
		}
	}
	return path, url, fs.Args(), nil
}

// localCheckpoints reads the checkpoints the back office writes: the
// file beside audit.db, or with url the fleet's table in that database.
func localCheckpoints(ctx context.Context, dir, url string) (name string, notes []byte, err error) {
	if url != "" {
		notes, err = audit.CheckpointNotes(ctx, url)
		return audit.CheckpointTable, notes, err
	}
	name = filepath.Join(dir, audit.CheckpointsFileName)
	notes, err = os.ReadFile(name) // #nosec G304 G703 -- audit.checkpoints in the configured data folder
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", nil, fmt.Errorf("checkpoint file: %w", err)
	}
	return name, notes, nil
}

// files is a repeatable file flag.
type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

// auditVerify walks the chain and, unless -chain-only, checks the log
// against every checkpoint of the local checkpoint file and of each
// -checkpoints file (copies kept elsewhere: the shop's received
// audit.checkpoint events, a copy on another machine). A log with events
// must have a verifier key and checkpoints; a rewritten chain, a removed
// tail, a fork or checkpoints that go backwards all fail.
func auditVerify(ctx context.Context, args []string, e env) error {
	var extra files
	var keyFlag *string
	var chainOnly *bool
	path, url, _, err := parseReadFlags("verify", args, e, func(fs *flag.FlagSet) {
		fs.Var(&extra, "checkpoints", "another file of signed checkpoints to check the log against (repeatable); "+audit.CheckpointsFileName+" beside audit.db is always checked")
		keyFlag = fs.String("key", "", "verifier key file of the checkpoints (default: ORDERCARE_AUDIT_VERIFIER_KEY, else "+audit.PubFileName+" beside the database)")
		chainOnly = fs.Bool("chain-only", false, "walk the hash chain only; checkpoints are not checked (a removed tail or a rewritten chain then pass)")
	})
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	auditPath := config.Config{DBPath: path}.AuditDBPath()
	if url != "" {
		auditPath = url // the fleet's log (VerifyFile and VerifySources open either)
	}
	if *chainOnly {
		res, err := audit.VerifyFile(ctx, auditPath)
		if err != nil {
			return err
		}
		if !res.OK {
			return fmt.Errorf("audit log broken at event %d of %d: %s", res.FirstBad, res.Events, res.Reason)
		}
		fmt.Fprintf(e.stdout, "audit log ok: %d events, hash chain intact (chain only: signed checkpoints not checked)\n", res.Events)
		return nil
	}
	localName, local, err := localCheckpoints(ctx, dir, url)
	if err != nil {
		return err
	}
	v, err := verifierFor(dir, *keyFlag, e.getenv, local)
	if err != nil {
		return err
	}
	sources, err := checkpointSources(localName, local, url == "", extra)
	if err != nil {
		return err
	}
	if v == nil {
		res, err := audit.VerifyFile(ctx, auditPath)
		if err != nil {
			return err
		}
		if res.Events > 0 {
			return fmt.Errorf("the audit log holds %d events but there is no verifier key to check its checkpoints with: %s is missing and ORDERCARE_AUDIT_VERIFIER_KEY is not set (or give -key)",
				res.Events, filepath.Join(dir, audit.PubFileName))
		}
		fmt.Fprintln(e.stdout, "audit log ok: no events yet")
		return nil
	}
	rep, err := audit.VerifySources(ctx, auditPath, sources, v)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stderr, "problem: "+p)
	}
	for _, a := range rep.Acknowledged {
		fmt.Fprintln(e.stdout, "acknowledged: "+a)
	}
	if !rep.Chain.OK {
		return fmt.Errorf("audit log broken at event %d of %d: %s", rep.Chain.FirstBad, rep.Chain.Events, rep.Chain.Reason)
	}
	if !rep.OK() {
		return fmt.Errorf("audit log does not match its signed checkpoints: %d problems (listed above)", len(rep.Problems))
	}
	if rep.Chain.Events == 0 {
		fmt.Fprintf(e.stdout, "audit log ok: no events yet; %d signed checkpoints match\n", rep.Matched)
		return nil
	}
	excused := ""
	if rep.Excused > 0 {
		excused = fmt.Sprintf(" (%d more of events lost in the acknowledged restores above)", rep.Excused)
	}
	fmt.Fprintf(e.stdout, "audit log ok: %d events, hash chain intact; %d of %d signed checkpoints match%s, the latest covers %d events (signed %s); %d events since\n",
		rep.Chain.Events, rep.Matched, rep.Checkpoints, excused, rep.Latest.Count, rep.Latest.Time.Format(time.RFC3339), rep.Uncovered)
	return nil
}

// verifierFor is the key to check checkpoints with: the pinned
// ORDERCARE_AUDIT_VERIFIER_KEY, else the -key file, else audit.pub beside
// the database; nil when there is none. A key file that differs from the
// pinned key is an error unless the local checkpoints (local) hand the
// pinned key over to it: audit.pub sits in the folder it guards.
func verifierFor(dir, keyFile string, getenv func(string) string, local []byte) (note.Verifier, error) {
	pinned := strings.TrimSpace(getenv("ORDERCARE_AUDIT_VERIFIER_KEY"))
	explicit := keyFile != ""
	if !explicit {
		keyFile = filepath.Join(dir, audit.PubFileName)
	}
	b, err := os.ReadFile(keyFile) // #nosec G304 G703 -- the operator names the key file, or it is audit.pub in the data folder
	switch {
	case err == nil:
	case errors.Is(err, os.ErrNotExist) && !explicit:
		b = nil
	default:
		return nil, fmt.Errorf("verifier key: %w", err)
	}
	text := strings.TrimSpace(string(b))
	if pinned != "" {
		if text != "" && text != pinned && !audit.KeyHandedOver(local, pinned, text) {
			return nil, fmt.Errorf("%s is not the key ORDERCARE_AUDIT_VERIFIER_KEY pins, and no key rotation hands it over: the checkpoint key was replaced", keyFile)
		}
		text = pinned
	}
	if text == "" {
		return nil, nil
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return nil, fmt.Errorf("verifier key %s: %w", keyFile, err)
	}
	return v, nil
}

// checkpointSources is the local checkpoints (the file, or the fleet's
// table, which stopped does not concern: audit.unsignedAfterStop) and
// every extra file (which must exist).
func checkpointSources(local string, notes []byte, single bool, extra []string) ([]audit.CheckpointSource, error) {
	out := []audit.CheckpointSource{{Name: local, Notes: notes, Local: single}}
	for _, f := range extra {
		if filepath.Clean(f) == filepath.Clean(local) {
			continue
		}
		b, err := os.ReadFile(f) // #nosec G304 -- the operator names the checkpoint copies to check against
		if err != nil {
			return nil, fmt.Errorf("checkpoint file: %w", err)
		}
		out = append(out, audit.CheckpointSource{Name: f, Notes: b})
	}
	return out, nil
}

// auditAcknowledge records that audit.db was restored from a backup (or
// predates its signing key): an audited event that names the lost events,
// and a checkpoint that covers it. Run it with the back office stopped,
// after it refused to start; it needs the signing key. With
// ORDERCARE_DATABASE_URL it records it in the fleet's log, signed with
// ORDERCARE_AUDIT_SIGNING_KEY into the checkpoint table: so a fleet that
// served before it had a key starts signing.
func auditAcknowledge(ctx context.Context, args []string, e env) error {
	var reason, by *string
	path, url, _, err := parseReadFlags("acknowledge", args, e, func(fs *flag.FlagSet) {
		reason = fs.String("reason", "", "why: which backup was restored, when and by whom (recorded in the event)")
		by = fs.String("by", "", "who records it (an e-mail address or a name, recorded in the event)")
	})
	if err != nil {
		return err
	}
	if strings.TrimSpace(*reason) == "" {
		return errors.New("admin audit acknowledge: -reason is required (which backup was restored, and when)")
	}
	dir := filepath.Dir(path)
	cfg := config.Config{DBPath: path}
	var key audit.SigningKey
	if url != "" {
		// The fleet's log, whose key every instance is given: never a
		// key file of one data folder.
		skey := strings.TrimSpace(e.getenv("ORDERCARE_AUDIT_SIGNING_KEY"))
		if skey == "" {
			return errors.New("ORDERCARE_AUDIT_SIGNING_KEY: the fleet's signing key is needed to sign the acknowledgement")
		}
		key, err = audit.ParseSigningKey(skey)
	} else {
		if _, err := os.Stat(cfg.AuditDBPath()); err != nil {
			return fmt.Errorf("no audit log to acknowledge: %w", err)
		}
		key, err = audit.LoadSigningKey(e.getenv("ORDERCARE_AUDIT_SIGNING_KEY"), dir, false)
	}
	if err != nil {
		return err
	}
	_, local, err := localCheckpoints(ctx, dir, url)
	if err != nil {
		return err
	}
	if pinned := strings.TrimSpace(e.getenv("ORDERCARE_AUDIT_VERIFIER_KEY")); pinned != "" && pinned != key.VerifierKey && !audit.KeyHandedOver(local, pinned, key.VerifierKey) {
		return errors.New("the signing key is not the one ORDERCARE_AUDIT_VERIFIER_KEY pins: nothing recorded")
	}
	var l *audit.Log
	if url != "" {
		l, err = audit.OpenWith(ctx, path, audit.Options{DatabaseURL: url})
	} else {
		release, herr := holdFolder(cfg.AuditDBPath())
		if herr != nil {
			return herr
		}
		defer release()
		l, err = audit.Open(ctx, cfg.AuditDBPath())
	}
	if err != nil {
		return err
	}
	ev, cp, err := l.Acknowledge(ctx, key, filepath.Join(dir, audit.CheckpointsFileName), strings.TrimSpace(*reason), audit.Actor{Email: strings.TrimSpace(*by)})
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "recorded as audit event %d: %s\ncheckpoint signed at %d events; the back office starts again\n",
		ev.Seq, ev.Detail["summary"], cp.Count)
	return nil
}

// auditKeygen writes a new checkpoint signing key (0600) and its verifier
// key beside the database; it never replaces an existing key, and refuses
// a folder whose log was signed before (audit.pub or audit.checkpoints
// exist): a lost key is restored, not replaced by a new one that would
// sign whatever the log holds now.
//
// With ORDERCARE_DATABASE_URL it prints a new key pair and writes no file:
// a fleet's key is configuration, given to every instance.
func auditKeygen(ctx context.Context, args []string, e env) error {
	if url, err := config.StorageDatabaseURL(e.getenv); err != nil || url != "" {
		if err != nil {
			return err
		}
		if _, _, _, err := parseReadFlags("keygen", args, e, nil); err != nil {
			return err
		}
		skey, vkey, err := audit.GenerateSigningKey()
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "signing key (keep it secret; give it to every instance as ORDERCARE_AUDIT_SIGNING_KEY; no file is written):\n%s\nverifier key: %s (pin it with ORDERCARE_AUDIT_VERIFIER_KEY)\na fleet whose log is signed already changes its key with 'admin audit rotate-key' instead\n", skey, vkey)
		return nil
	}
	path, _, err := parseAuditFlags("keygen", args, e, nil)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if _, err := os.Stat(filepath.Join(dir, audit.KeyFileName)); err == nil { // #nosec G703 -- the configured data folder
		return fmt.Errorf("%s already exists; remove it first to make a new key (old checkpoints then need the old %s)",
			filepath.Join(dir, audit.KeyFileName), audit.PubFileName)
	}
	var events int64
	if res, err := audit.VerifyFile(ctx, config.Config{DBPath: path}.AuditDBPath()); err == nil {
		events = res.Events
	}
	if events > 0 {
		for _, f := range []string{audit.PubFileName, audit.CheckpointsFileName} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil { // #nosec G703 -- the configured data folder
				return fmt.Errorf("the audit log holds %d events signed with another key (%s exists): restore its %s instead of making a new one",
					events, f, audit.KeyFileName)
			}
		}
	}
	k, err := audit.LoadSigningKey("", dir, true)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "signing key written to %s (keep it secret; or set ORDERCARE_AUDIT_SIGNING_KEY from it and delete the file)\nverifier key: %s (also in %s; pin it with ORDERCARE_AUDIT_VERIFIER_KEY)\n",
		filepath.Join(dir, audit.KeyFileName), k.VerifierKey, filepath.Join(dir, audit.PubFileName))
	if events > 0 {
		fmt.Fprintf(e.stdout, "the audit log already holds %d events: record that signing starts now with '%s' before the next start\n", events, audit.AcknowledgeCommand)
	}
	return nil
}

// signWhileStopped signs the events an admin command just appended when
// the back office is stopped (audit.Log.SignWhileStopped), with the key of
// the data folder; without a key there is nothing to sign with.
func signWhileStopped(ctx context.Context, l *audit.Log, auditPath string, getenv func(string) string, appended int64) error {
	dir := filepath.Dir(auditPath)
	key, err := audit.LoadSigningKey(getenv("ORDERCARE_AUDIT_SIGNING_KEY"), dir, false)
	if errors.Is(err, audit.ErrNoSigningKey) {
		return nil
	}
	if err == nil {
		err = l.SignWhileStopped(ctx, key, filepath.Join(dir, audit.CheckpointsFileName), appended)
	}
	if err != nil {
		return fmt.Errorf("the change was made and recorded, but its audit checkpoint was not signed: %w", err)
	}
	return nil
}

// auditRotateKey replaces the checkpoint signing key: with the back office
// stopped and the log matching its checkpoints, it appends a hand-over
// note signed by the old and the new key and a checkpoint signed by the
// new one, then replaces audit.key and audit.pub (or prints the new key
// when the old one came from ORDERCARE_AUDIT_SIGNING_KEY). A pinned
// ORDERCARE_AUDIT_VERIFIER_KEY of the old key keeps working: verification
// follows the hand-over.
//
// With ORDERCARE_DATABASE_URL it hands the fleet's key over in the
// checkpoint table (auditRotateFleetKey).
func auditRotateKey(ctx context.Context, args []string, e env) error {
	if url, err := config.StorageDatabaseURL(e.getenv); err != nil || url != "" {
		if err != nil {
			return err
		}
		return auditRotateFleetKey(ctx, args, url, e)
	}
	path, _, err := parseAuditFlags("rotate-key", args, e, nil)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	configured := e.getenv("ORDERCARE_AUDIT_SIGNING_KEY")
	old, err := audit.LoadSigningKey(configured, dir, false)
	if err != nil {
		return err
	}
	skey, _, err := audit.GenerateSigningKey()
	if err != nil {
		return err
	}
	next, err := audit.ParseSigningKey(skey)
	if err != nil {
		return err
	}
	release, err := holdFolder(path)
	if err != nil {
		return err
	}
	defer release()
	l, err := audit.Open(ctx, config.Config{DBPath: path}.AuditDBPath())
	if err != nil {
		return err
	}
	err = l.RotateKey(ctx, old, next, filepath.Join(dir, audit.CheckpointsFileName))
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := replaceFile(filepath.Join(dir, audit.PubFileName), next.VerifierKey+"\n", 0o644); err != nil {
		return err
	}
	if strings.TrimSpace(configured) != "" {
		fmt.Fprintf(e.stdout, "key handed over; set ORDERCARE_AUDIT_SIGNING_KEY to the new signing key before the next start (keep it secret):\n%s\nnew verifier key: %s\n", skey, next.VerifierKey)
		return nil
	}
	if err := replaceFile(filepath.Join(dir, audit.KeyFileName), skey+"\n", 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "key handed over: %s holds the new signing key, %s the new verifier key %s; the old key signs nothing more\n",
		filepath.Join(dir, audit.KeyFileName), audit.PubFileName, next.VerifierKey)
	return nil
}

// auditRotateFleetKey hands the key of a fleet (ORDERCARE_AUDIT_SIGNING_KEY)
// over to a new one in the table audit_checkpoints. A fleet signs no
// stopped checkpoint, so the rule is that the whole fleet is stopped: no
// other session on the database holds one of the instances' leases
// (app.Leases; a running instance holds those its workers run under).
// Under the log's append lock it stores the old key's checkpoint of the
// head, the hand-over signed by both keys and the new key's checkpoint,
// and prints the new key for the operator to give every instance.
func auditRotateFleetKey(ctx context.Context, args []string, url string, e env) error {
	path, _, _, err := parseReadFlags("rotate-key", args, e, nil)
	if err != nil {
		return err
	}
	skey := strings.TrimSpace(e.getenv("ORDERCARE_AUDIT_SIGNING_KEY"))
	if skey == "" {
		return errors.New("ORDERCARE_AUDIT_SIGNING_KEY: the fleet's signing key is needed to hand it over")
	}
	old, err := audit.ParseSigningKey(skey)
	if err != nil {
		return err
	}
	notes, err := audit.CheckpointNotes(ctx, url)
	if err != nil {
		return err
	}
	if pinned := strings.TrimSpace(e.getenv("ORDERCARE_AUDIT_VERIFIER_KEY")); pinned != "" && pinned != old.VerifierKey && !audit.KeyHandedOver(notes, pinned, old.VerifierKey) {
		return errors.New("the signing key is not the one ORDERCARE_AUDIT_VERIFIER_KEY pins: nothing handed over")
	}
	nskey, _, err := audit.GenerateSigningKey()
	if err != nil {
		return err
	}
	next, err := audit.ParseSigningKey(nskey)
	if err != nil {
		return err
	}
	d, err := db.OpenPostgres(ctx, url, db.AdminWriter)
	if err != nil {
		return err
	}
	defer d.Close()
	stopped := func(ctx context.Context) error {
		held, err := d.LeasesHeld(ctx, app.Leases)
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return fmt.Errorf("stop every instance of the fleet first: the key is handed over while nothing signs, and an instance is running (another session holds its leases: %s); nothing handed over",
				strings.Join(held, ", "))
		}
		return nil
	}
	l, err := audit.OpenWith(ctx, path, audit.Options{DatabaseURL: url})
	if err != nil {
		return err
	}
	err = l.RotateFleetKey(ctx, old, next, stopped)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "key handed over in %s; give every instance the new signing key as ORDERCARE_AUDIT_SIGNING_KEY before it starts again (keep it secret):\n%s\nnew verifier key: %s\npin it with ORDERCARE_AUDIT_VERIFIER_KEY (a pin of the old key follows the hand-over); the old key signs nothing more\n",
		audit.CheckpointTable, nskey, next.VerifierKey)
	return nil
}

// replaceFile writes data to path through a new file renamed over it.
func replaceFile(path, data string, perm os.FileMode) error {
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(data), perm); err != nil { // #nosec G703 -- a file of the configured data folder
		return fmt.Errorf("key rotation: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil { // #nosec G703 -- a file of the configured data folder
		return fmt.Errorf("key rotation: %w", err)
	}
	return nil
}

// auditProve prints, as JSON, the proof that event SEQ is in the newest
// signed checkpoint: the event's bytes, the signed note and the Merkle
// path; `admin audit check-proof` checks it with the verifier key alone.
func auditProve(ctx context.Context, args []string, e env) error {
	path, url, rest, err := parseReadFlags("prove", args, e, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return errors.New("usage: admin audit prove [-db ADMIN_DB] SEQ (the event's number, from the audit trail)")
	}
	seq, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || seq < 1 {
		return errors.New("usage: admin audit prove [-db ADMIN_DB] SEQ (the event's number, from the audit trail)")
	}
	dir := filepath.Dir(path)
	_, local, err := localCheckpoints(ctx, dir, url)
	if err != nil {
		return err
	}
	v, err := verifierFor(dir, "", e.getenv, local)
	if err != nil {
		return err
	}
	if v == nil {
		return errors.New("no verifier key: " + audit.PubFileName + " is missing and ORDERCARE_AUDIT_VERIFIER_KEY is not set")
	}
	var l *audit.Log
	if url != "" {
		// The fleet's log, opened without this instance's search index
		// folder: prove reads events and the tree only.
		l, err = audit.OpenWith(ctx, path, audit.Options{DatabaseURL: url})
	} else {
		l, err = audit.Open(ctx, config.Config{DBPath: path}.AuditDBPath())
	}
	if err != nil {
		return err
	}
	p, err := l.Prove(ctx, seq, filepath.Join(dir, audit.CheckpointsFileName), v)
	if cerr := l.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", b)
	fmt.Fprintf(e.stderr, "save the JSON above as proof.json; anyone can check it offline with the verifier key (%s):\n"+
		"  admin audit check-proof proof.json -key audit.pub\n", filepath.Join(dir, audit.PubFileName))
	return nil
}

// auditCheckProof checks a proof written by `admin audit prove` with the
// verifier key alone (no log, no back office) and prints the event.
func auditCheckProof(args []string, e env) error {
	fs := flag.NewFlagSet("admin audit check-proof", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	keyFlag := fs.String("key", "", "verifier key file (default: ORDERCARE_AUDIT_VERIFIER_KEY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: admin audit check-proof FILE [-key PUBFILE]")
	}
	text := strings.TrimSpace(e.getenv("ORDERCARE_AUDIT_VERIFIER_KEY"))
	if *keyFlag != "" {
		b, err := os.ReadFile(*keyFlag) // #nosec G304 -- the operator names the key file
		if err != nil {
			return fmt.Errorf("verifier key: %w", err)
		}
		text = strings.TrimSpace(string(b))
	}
	if text == "" {
		return errors.New("no verifier key: give -key PUBFILE or set ORDERCARE_AUDIT_VERIFIER_KEY")
	}
	v, err := note.NewVerifier(text)
	if err != nil {
		return fmt.Errorf("verifier key: %w", err)
	}
	b, err := os.ReadFile(fs.Arg(0)) // #nosec G304 -- the operator names the proof to check
	if err != nil {
		return err
	}
	// One proof (admin audit prove), or a list (the attempt page's).
	var ps []audit.InclusionProof
	if err := json.Unmarshal(b, &ps); err != nil {
		var p audit.InclusionProof
		if err := json.Unmarshal(b, &p); err != nil {
			return fmt.Errorf("not a proof: %w", err)
		}
		ps = []audit.InclusionProof{p}
	}
	if len(ps) == 0 {
		return errors.New("not a proof: empty")
	}
	for _, p := range ps {
		cp, err := audit.CheckInclusion(p, v)
		if err != nil {
			return fmt.Errorf("the proof of event %d does not hold: %w", p.Seq, err)
		}
		f, _ := audit.CanonicalFields(p.Canonical)
		fmt.Fprintf(e.stdout, "proof ok: event %s (%s, %s, order %q, action %q, outcome %q, by %q) is event %d of the %d the checkpoint signed %s covers\n",
			f["seq"], f["time"], f["kind"], f["order_id"], f["action"], f["outcome"], f["staff_email"], p.Seq, cp.Count, cp.Time.Format(time.RFC3339))
	}
	return nil
}
