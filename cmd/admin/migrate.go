package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/bulk"
	"ordercare/internal/config"
	"ordercare/internal/datalock"
	"ordercare/internal/db"
	"ordercare/internal/intake"
	"ordercare/internal/orders"
	"ordercare/internal/outbox"
	"ordercare/internal/session"
	"ordercare/internal/shop/ucommerce"
	"ordercare/internal/staff"
)

const migrateUsage = "usage: admin migrate-to-postgres --from DIR --to postgres://USER:PASSWORD@HOST:PORT/DATABASE[?search_path=SCHEMA]"

// migrateCmd: `admin migrate-to-postgres --from ./data --to postgres://…`
// copies a stopped SQLite install (admin.db and audit.db in DIR) into an
// empty PostgreSQL database, or the empty schema its URL's search_path
// names, so that several instances can share it (ORDERCARE_DATABASE_URL).
//
//   - It takes the data folder's lock alone (datalock): while a back
//     office runs on DIR it refuses, and no back office starts on DIR
//     until it has finished.
//   - The source's audit log must verify first (hash chain, and every
//     signed checkpoint when there is a key), or nothing is copied.
//   - A target that already holds tables is refused: no merge. So is a
//     folder whose tables are at another version than this admin's
//     (start this version's back office on it once first).
//   - The stores create their own tables on PostgreSQL (their Open
//     functions, as a back office starting there would), then each
//     database's rows are copied, table by table, in one transaction per
//     source file, with the columns both sides share; identity columns
//     go on after the largest copied value.
//   - Search words, which each database keeps in a table of its own
//     (FTS5 on SQLite), are rebuilt on PostgreSQL from what the rows
//     hold: the order index's from each order's stored fields, the audit
//     log's search index by its indexer at the first start.
//   - The copied audit log must verify on PostgreSQL with the same
//     events, head and checkpoints; otherwise the command fails and says
//     how to drop the target.
func migrateCmd(ctx context.Context, args []string, e env) error {
	fs := flag.NewFlagSet("admin migrate-to-postgres", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	from := fs.String("from", "", "the data folder of the SQLite install (admin.db, audit.db and their keys), or its admin database file [default: ORDERCARE_DB, else "+config.DefaultDB+"]")
	to := fs.String("to", "", "the PostgreSQL database to copy into: postgres://…, its search_path naming the schema (default: "+config.EnvDatabaseURL+")")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), migrateUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return errors.New(migrateUsage)
	}
	// The admin database: DIR/admin.db, or the file --from names, or
	// ORDERCARE_DB's; audit.db and the keys are beside it.
	adminPath := *from
	switch fi, err := os.Stat(adminPath); {
	case adminPath == "":
		adminPath = config.DefaultDB
		if v := e.getenv("ORDERCARE_DB"); v != "" {
			adminPath = v
		}
	case err == nil && fi.IsDir():
		adminPath = filepath.Join(adminPath, "admin.db")
	}
	target := strings.TrimSpace(*to)
	if target == "" {
		target = strings.TrimSpace(e.getenv(config.EnvDatabaseURL))
	}
	if u, err := url.Parse(target); target == "" || err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return errors.New("--to must be a postgres:// URL (" + migrateUsage + ")")
	}
	m := &migration{dir: filepath.Dir(adminPath), adminPath: adminPath, url: target, out: e.stdout, getenv: e.getenv}
	return m.run(ctx)
}

// migration is one run of migrate-to-postgres.
type migration struct {
	dir       string // the data folder
	adminPath string // admin.db in it
	url       string
	out       io.Writer
	getenv    func(string) string

	where string // the target's database and schema, for messages (no password)
	drop  string // how to drop the target, for messages
}

// adminComponents are the components (schema_migrations) whose tables
// the stores opened in createTarget make on PostgreSQL; a source with
// another is refused before anything is written.
var adminComponents = []string{"staff", "staff_factors", "staff_external", "staff_preferences", "staff_seal_check", "session", "approvals",
	"outbox", "intake", "shop_tokens", "orders", "bulk"}

// rebuilt are tables not copied: each database's own search structures,
// rebuilt on PostgreSQL from the rows copied (FTS5's tables on SQLite
// are found by their virtual table's name).
var rebuilt = map[string]bool{
	// the order index's words (orders.Index.RebuildWords)
	"order_terms": true,
	// the audit log's search index, refilled from the events by its
	// indexer (index_state starts at 0)
	"attempts": true, "attempt_counts": true, "attempt_text": true, "index_state": true, "index_feed": true,
}

func (m *migration) run(ctx context.Context) error {
	start := time.Now()
	cfg := config.Config{DBPath: m.adminPath}
	if _, err := os.Stat(cfg.DBPath); err != nil {
		return fmt.Errorf("nothing to migrate: %w", err)
	}
	lock, err := datalock.Exclusive(m.dir)
	if errors.Is(err, datalock.ErrHeld) {
		return fmt.Errorf("a back office is running on %s (it, or an admin command writing there, holds %s): stop every back office on this folder, then migrate; nothing was copied",
			m.dir, filepath.Join(m.dir, datalock.FileName))
	}
	if err != nil {
		return err
	}
	defer lock.Release() //nolint:errcheck // the process ends; the kernel drops it anyway

	// The source: its audit log must verify before anything is copied.
	auditPath := cfg.AuditDBPath()
	hasAudit := true
	if _, err := os.Stat(auditPath); errors.Is(err, os.ErrNotExist) {
		hasAudit = false
	}
	var srcLog logState
	if hasAudit {
		if srcLog, err = m.verifyLog(ctx, auditPath); err != nil {
			return fmt.Errorf("the source audit log %s does not verify: %w; nothing was copied", auditPath, err)
		}
		fmt.Fprintf(m.out, "source audit log: %s\n", srcLog)
	}
	src, err := db.Open(ctx, cfg.DBPath, db.SyncNormal)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := checkComponents(ctx, src.R); err != nil {
		return fmt.Errorf("%w; nothing was copied", err)
	}

	// The target: reachable, an existing schema, none of our tables.
	tgt, err := db.OpenPostgres(ctx, m.url, "admin")
	if err != nil {
		return err
	}
	defer tgt.Close()
	if err := m.checkEmpty(ctx, tgt); err != nil {
		return err
	}
	// From here on a failure leaves a partial target behind.
	incomplete := func(err error) error {
		return fmt.Errorf("%w; the target %s is incomplete: drop it (%s) before migrating again", err, m.where, m.drop)
	}
	ix, err := m.createTarget(ctx, tgt, auditPath)
	if err != nil {
		return incomplete(err)
	}
	defer ix.Close() //nolint:errcheck // writes nothing: no views were recorded
	if err := m.checkVersions(ctx, src.R, tgt.R, "admin.db"); err != nil {
		return incomplete(err)
	}
	if hasAudit {
		ad, err := db.Open(ctx, auditPath, db.SyncFull)
		if err != nil {
			return incomplete(err)
		}
		err = m.checkVersions(ctx, ad.R, tgt.R, "audit.db")
		_ = ad.Close() // read only
		if err != nil {
			return incomplete(err)
		}
	}
	pg, err := pgx.Connect(ctx, m.url)
	if err != nil {
		return incomplete(fmt.Errorf("PostgreSQL: %w", err))
	}
	defer pg.Close(context.WithoutCancel(ctx)) //nolint:errcheck // the copies are committed or rolled back by now

	n, err := copyDatabase(ctx, src.R, pg, "admin.db", m.out)
	if err != nil {
		return incomplete(err)
	}
	words, err := ix.RebuildWords(ctx)
	if err != nil {
		return incomplete(err)
	}
	fmt.Fprintf(m.out, "admin.db: %d rows copied; search words rebuilt for %d indexed orders\n", n, words)

	if hasAudit {
		ad, err := db.Open(ctx, auditPath, db.SyncFull)
		if err != nil {
			return incomplete(err)
		}
		defer ad.Close()
		t0 := time.Now()
		n, err := copyDatabase(ctx, ad.R, pg, "audit.db", m.out)
		if err != nil {
			return incomplete(err)
		}
		if err := copyCheckpoints(ctx, pg, m.dir); err != nil {
			return incomplete(err)
		}
		copied := time.Since(t0)
		tgtLog, err := m.verifyLog(ctx, m.url)
		if err != nil {
			return incomplete(fmt.Errorf("the audit log copied to PostgreSQL does not verify: %w", err))
		}
		if tgtLog.events != srcLog.events || tgtLog.head != srcLog.head || tgtLog.matched != srcLog.matched {
			return incomplete(fmt.Errorf("the audit log copied to PostgreSQL differs from the source: %s there, %s here", tgtLog, srcLog))
		}
		fmt.Fprintf(m.out, "audit.db: %d rows copied in %s; on PostgreSQL: %s\n", n, copied.Round(time.Millisecond), tgtLog)
	}
	fmt.Fprintf(m.out, "migrated %s to %s in %s\n", m.dir, m.where, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(m.out, "give every instance the same %s (or ORDERCARE_STAFF_KEY) and the signing key of %s as ORDERCARE_AUDIT_SIGNING_KEY; start them with %s set\n",
		staffKeyName, audit.KeyFileName, config.EnvDatabaseURL)
	return nil
}

// copyCheckpoints stores the folder's signed checkpoints (audit.checkpoints)
// in the fleet's checkpoint table, byte for byte as one row: the table's
// notes read in order are then the file, and the instances' own notes
// follow it, so the fleet's start checks the copied log against what the
// single instance signed.
func copyCheckpoints(ctx context.Context, pg *pgx.Conn, dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, audit.CheckpointsFileName)) // #nosec G304 -- audit.checkpoints in the data folder being migrated
	if errors.Is(err, os.ErrNotExist) || len(b) == 0 {
		return nil
	}
	if err != nil {
		return fmt.Errorf("checkpoint file: %w", err)
	}
	if _, err := pg.Exec(ctx, `INSERT INTO audit_checkpoints (note, instance) VALUES ($1, 'migrated')`, b); err != nil {
		return fmt.Errorf("copying the signed checkpoints: %w", err)
	}
	return nil
}

// staffKeyName is the key file that seals second factors in admin.db
// (config.Config.StaffKeyPath).
var staffKeyName = filepath.Base(config.Config{DBPath: "admin.db"}.StaffKeyPath())

// logState is what a verification found of an audit log.
type logState struct {
	events      int64
	head        string
	checkpoints int // signed checkpoints in the local file
	matched     int // of which verified against the log
	chainOnly   bool
}

func (s logState) String() string {
	if s.chainOnly {
		return fmt.Sprintf("%d events, hash chain intact (no checkpoint key: chain only)", s.events)
	}
	return fmt.Sprintf("%d events, hash chain intact, %d of %d signed checkpoints verified", s.events, s.matched, s.checkpoints)
}

// verifyLog verifies the audit log at path (audit.db or the target's URL)
// as `admin audit verify` does: the chain and every checkpoint of the
// data folder's audit.checkpoints, with its verifier key (pinned by
// ORDERCARE_AUDIT_VERIFIER_KEY, else audit.pub). Without a key and
// checkpoints the chain alone is checked.
func (m *migration) verifyLog(ctx context.Context, path string) (logState, error) {
	url := "" // the source's checkpoints are its file; the target's, the fleet's table
	if path == m.url {
		url = m.url
	}
	name, local, err := localCheckpoints(ctx, m.dir, url)
	if err != nil {
		return logState{}, err
	}
	v, err := verifierFor(m.dir, "", m.getenv, local)
	if err != nil {
		return logState{}, err
	}
	var st logState
	if v == nil {
		res, err := audit.VerifyFile(ctx, path)
		if err != nil {
			return logState{}, err
		}
		if !res.OK {
			return logState{}, fmt.Errorf("broken at event %d of %d: %s", res.FirstBad, res.Events, res.Reason)
		}
		st = logState{events: res.Events, chainOnly: true}
	} else {
		sources, err := checkpointSources(name, local, url == "", nil)
		if err != nil {
			return logState{}, err
		}
		rep, err := audit.VerifySources(ctx, path, sources, v)
		if err != nil {
			return logState{}, err
		}
		if !rep.Chain.OK {
			return logState{}, fmt.Errorf("broken at event %d of %d: %s", rep.Chain.FirstBad, rep.Chain.Events, rep.Chain.Reason)
		}
		if !rep.OK() {
			return logState{}, fmt.Errorf("it does not match its signed checkpoints: %s", strings.Join(rep.Problems, "; "))
		}
		st = logState{events: rep.Chain.Events, checkpoints: rep.Checkpoints, matched: rep.Matched}
	}
	head, err := auditHead(ctx, path)
	if err != nil {
		return logState{}, err
	}
	st.head = head
	return st, nil
}

// auditHead is the hash of the last event of the log at path ("" when it
// has none), read through a read-only connection.
func auditHead(ctx context.Context, path string) (string, error) {
	var d *db.DB
	var err error
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		d, err = db.OpenPostgres(ctx, path, "audit")
	} else {
		d, err = db.Open(ctx, path, db.SyncFull)
	}
	if err != nil {
		return "", err
	}
	defer d.Close()
	var h string
	err = d.R.QueryRowContext(ctx, `SELECT hash FROM events ORDER BY seq DESC LIMIT 1`).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return h, err
}

// checkComponents refuses a source holding tables of a component this
// command does not create on PostgreSQL: they would be left behind.
func checkComponents(ctx context.Context, src *sql.DB) error {
	var n int
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fmt.Errorf("admin.db: %w", err)
	}
	if n == 0 {
		return nil // no store ever opened it
	}
	rows, err := src.QueryContext(ctx, `SELECT DISTINCT component FROM schema_migrations ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("admin.db: %w", err)
	}
	comps, err := scanStrings(rows)
	if err != nil {
		return fmt.Errorf("admin.db: %w", err)
	}
	for _, c := range comps {
		if !slices.Contains(adminComponents, c) {
			return fmt.Errorf("admin.db holds the tables of %q, which this command does not know how to copy", c)
		}
	}
	return nil
}

// checkVersions refuses a source whose components' tables are at another
// version than the ones this admin just created on the target: rows of
// older tables would miss what the later migrations did to them.
func (m *migration) checkVersions(ctx context.Context, src, tgt *sql.DB, file string) error {
	var n int
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).Scan(&n); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if n == 0 {
		return nil
	}
	versions := func(d *sql.DB) (map[string]int, error) {
		rows, err := d.QueryContext(ctx, `SELECT component, max(version) FROM schema_migrations GROUP BY component`)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := map[string]int{}
		for rows.Next() {
			var c string
			var v int
			if err := rows.Scan(&c, &v); err != nil {
				return nil, err
			}
			out[c] = v
		}
		return out, rows.Err()
	}
	have, err := versions(src)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	want, err := versions(tgt)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	for _, c := range slices.Sorted(maps.Keys(have)) {
		switch w, ok := want[c]; {
		case !ok:
			return fmt.Errorf("%s holds the tables of %q, which this command does not know how to copy", file, c)
		case have[c] < w:
			return fmt.Errorf("%s's %q tables are at version %d, this admin's at %d: start this version's back office on %s once (it upgrades them), stop it, then migrate",
				file, c, have[c], w, m.dir)
		case have[c] > w:
			return fmt.Errorf("%s's %q tables are at version %d, newer than this admin's %d: migrate with the version of admin that last served %s",
				file, c, have[c], w, m.dir)
		}
	}
	return nil
}

// checkEmpty names the target (m.where, m.drop) and refuses it when its
// schema does not exist or already holds tables.
func (m *migration) checkEmpty(ctx context.Context, tgt *db.DB) error {
	var schema sql.NullString
	var database string
	if err := tgt.R.QueryRowContext(ctx, `SELECT current_schema(), current_database()`).Scan(&schema, &database); err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	if !schema.Valid {
		return errors.New("the target has no schema to create the tables in: the schema its URL's search_path names does not exist (CREATE SCHEMA it first); nothing was copied")
	}
	m.where = fmt.Sprintf("database %s, schema %s", database, schema.String)
	m.drop = fmt.Sprintf("DROP SCHEMA %s CASCADE", pgx.Identifier{schema.String}.Sanitize())
	if schema.String == "public" {
		m.drop = fmt.Sprintf("DROP DATABASE %s, or DROP SCHEMA public CASCADE; CREATE SCHEMA public", pgx.Identifier{database}.Sanitize())
	}
	// Any table at all: telling ordercare's from others' would need the
	// name of every table any version of the stores made, and a schema
	// shared with something else is no place for the fleet's state.
	found, err := pgTableNames(ctx, tgt.R)
	if err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	if len(found) > 0 {
		return fmt.Errorf("the target (%s) already holds tables (%s): migrate into an empty database or schema (no merge); nothing was copied",
			m.where, strings.Join(found, ", "))
	}
	return nil
}

// createTarget has every store create its tables on the target, as a back
// office starting on PostgreSQL would, and returns the order index (whose
// words are rebuilt after the copy).
func (m *migration) createTarget(ctx context.Context, tgt *db.DB, auditPath string) (*orders.Index, error) {
	if _, err := staff.Open(ctx, tgt, staff.Options{}); err != nil {
		return nil, err
	}
	if _, err := session.NewStore(ctx, tgt); err != nil {
		return nil, err
	}
	if _, err := approvals.Open(ctx, tgt, nil, nil, approvals.Policy{}, nil); err != nil {
		return nil, err
	}
	// The URL and secret are not used: nothing is delivered from here.
	if _, err := outbox.Open(ctx, tgt, nil, outbox.Options{URL: "https://unused.invalid/", Secret: "unused"}); err != nil {
		return nil, err
	}
	if _, err := intake.Open(ctx, tgt); err != nil {
		return nil, err
	}
	// The key is not used: the sealed token is copied as it is.
	if _, err := ucommerce.NewSQLStore(ctx, tgt, make([]byte, 32)); err != nil {
		return nil, err
	}
	if _, err := bulk.Open(ctx, tgt, nil, nil, bulk.Options{}); err != nil {
		return nil, err
	}
	ix, err := orders.OpenIndex(ctx, tgt)
	if err != nil {
		return nil, err
	}
	// The audit log's tables and its search index's; closed again at once
	// (no checkpoints are started, so it writes nothing).
	l, err := audit.OpenWith(ctx, auditPath, audit.Options{DatabaseURL: m.url})
	if err != nil {
		_ = ix.Close() // the log's error is the one to report
		return nil, err
	}
	if err := l.Close(); err != nil {
		_ = ix.Close() // the log's error is the one to report
		return nil, err
	}
	return ix, nil
}
