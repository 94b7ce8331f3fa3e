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
	"strconv"
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
//   - A target that already holds ordercare's tables is refused: no merge.
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
var adminComponents = []string{"staff", "staff_factors", "staff_external", "staff_preferences", "session", "approvals",
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
	fmt.Fprintf(m.out, "keep %s, %s, %s and %s with every instance's data folder; start them with %s set\n",
		staffKeyName, audit.KeyFileName, audit.PubFileName, audit.CheckpointsFileName, config.EnvDatabaseURL)
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
	v, err := verifierFor(m.dir, "", m.getenv)
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
		sources, err := checkpointSources(filepath.Join(m.dir, audit.CheckpointsFileName), nil)
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

// sqliteTable is a table of a SQLite file.
type sqliteTable struct {
	name  string
	sql   string
	rowid bool // an ordinary rowid table (rows are read in insertion order)
}

// sqliteTables are the file's tables, without SQLite's own and the
// migrations record (each side keeps its own).
func sqliteTables(ctx context.Context, d *sql.DB) ([]sqliteTable, error) {
	rows, err := d.QueryContext(ctx, `SELECT name, coalesce(sql, '') FROM sqlite_master
		WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sqliteTable
	for rows.Next() {
		var t sqliteTable
		if err := rows.Scan(&t.name, &t.sql); err != nil {
			return nil, err
		}
		up := strings.ToUpper(t.sql)
		t.rowid = !strings.Contains(up, "WITHOUT ROWID") && !strings.HasPrefix(up, "CREATE VIRTUAL")
		out = append(out, t)
	}
	return out, rows.Err()
}

// virtualShadow reports whether t is a virtual table (FTS5) or one of the
// tables SQLite keeps for one (name_data, name_idx, …).
func virtualShadow(t sqliteTable, all []sqliteTable) bool {
	if strings.HasPrefix(strings.ToUpper(t.sql), "CREATE VIRTUAL") {
		return true
	}
	for _, v := range all {
		if strings.HasPrefix(strings.ToUpper(v.sql), "CREATE VIRTUAL") && strings.HasPrefix(t.name, v.name+"_") {
			return true
		}
	}
	return false
}

func pgTableNames(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	return scanStrings(rows)
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// pgColumn is a column of a target table.
type pgColumn struct {
	name, typ string // typ: information_schema's data_type
}

// copyDatabase copies every table of the SQLite file src that the target
// also has, in one transaction on pg: rows through COPY, the columns both
// sides share, parents before the tables that reference them; then sets
// each identity column's sequence after the largest value copied. A table
// of src the target lacks is an error, except SQLite's full-text tables
// and the search structures rebuilt on PostgreSQL.
func copyDatabase(ctx context.Context, src *sql.DB, pg *pgx.Conn, file string, out io.Writer) (int64, error) {
	tables, err := sqliteTables(ctx, src)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	tx, err := pg.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("PostgreSQL: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // no-op after commit
	cols, err := pgColumns(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("PostgreSQL: %w", err)
	}
	byName := map[string]sqliteTable{}
	for _, t := range tables {
		switch {
		case rebuilt[t.name] || virtualShadow(t, tables):
			continue
		case cols[t.name] == nil:
			return 0, fmt.Errorf("%s: table %s has no counterpart on PostgreSQL", file, t.name)
		}
		byName[t.name] = t
	}
	order, err := parentsFirst(ctx, tx, byName)
	if err != nil {
		return 0, fmt.Errorf("PostgreSQL: %w", err)
	}
	// The source is read in one read transaction: one snapshot of the file.
	stx, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	defer stx.Rollback() //nolint:errcheck // read only
	var total int64
	for _, name := range order {
		n, err := copyTable(ctx, stx, tx, byName[name], cols[name])
		if err != nil {
			return total, fmt.Errorf("%s: table %s: %w", file, name, err)
		}
		if err := continueSequences(ctx, tx, name, cols[name]); err != nil {
			return total, fmt.Errorf("PostgreSQL: table %s: %w", name, err)
		}
		fmt.Fprintf(out, "  %s %s: %d rows\n", file, name, n)
		total += n
	}
	if copiedHook != nil {
		if err := copiedHook(ctx, tx, file); err != nil {
			return total, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return total, fmt.Errorf("PostgreSQL: %s: %w", file, err)
	}
	return total, nil
}

// copiedHook, when set (tests), runs before each file's copy commits:
// a fault injected there must be caught by the verification after.
var copiedHook func(ctx context.Context, tx pgx.Tx, file string) error

// pgColumns are the columns of every table in the target's schema.
func pgColumns(ctx context.Context, tx pgx.Tx) (map[string][]pgColumn, error) {
	rows, err := tx.Query(ctx, `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]pgColumn{}
	for rows.Next() {
		var t string
		var c pgColumn
		if err := rows.Scan(&t, &c.name, &c.typ); err != nil {
			return nil, err
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

// parentsFirst orders tables so that each comes after the tables its
// foreign keys reference (the target's constraints), by name otherwise.
func parentsFirst(ctx context.Context, tx pgx.Tx, tables map[string]sqliteTable) ([]string, error) {
	rows, err := tx.Query(ctx, `SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE k.contype = 'f' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	parents := map[string][]string{}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			rows.Close()
			return nil, err
		}
		if child != parent {
			parents[child] = append(parents[child], parent)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(tables))
	for n := range tables {
		names = append(names, n)
	}
	slices.Sort(names)
	var order []string
	done := map[string]bool{}
	var visit func(n string, depth int) error
	visit = func(n string, depth int) error {
		if done[n] {
			return nil
		}
		if depth > len(names) {
			return fmt.Errorf("foreign keys in a cycle at %s", n)
		}
		for _, p := range parents[n] {
			if _, ok := tables[p]; ok {
				if err := visit(p, depth+1); err != nil {
					return err
				}
			}
		}
		done[n] = true
		order = append(order, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, 0); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// copyTable copies the rows of t, the columns the target also has, with
// COPY (https://www.postgresql.org/docs/current/sql-copy.html), in rowid
// order (the order they were written, so a row referring to an earlier
// one of its table follows it).
func copyTable(ctx context.Context, src *sql.Tx, tx pgx.Tx, t sqliteTable, target []pgColumn) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?)`, t.name)
	if err != nil {
		return 0, err
	}
	have, err := scanStrings(rows)
	if err != nil {
		return 0, err
	}
	var shared []pgColumn
	var names, quoted []string
	for _, c := range target {
		if slices.Contains(have, c.name) {
			shared = append(shared, c)
			names = append(names, c.name)
			quoted = append(quoted, pgx.Identifier{c.name}.Sanitize())
		}
	}
	for _, h := range have {
		if !slices.Contains(names, h) {
			return 0, fmt.Errorf("column %s has no counterpart on PostgreSQL", h)
		}
	}
	q := `SELECT ` + strings.Join(quoted, ", ") + ` FROM ` + pgx.Identifier{t.name}.Sanitize()
	if t.rowid {
		q += ` ORDER BY rowid`
	}
	rows, err = src.QueryContext(ctx, q)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, names, &rowSource{rows: rows, cols: shared})
	if err != nil {
		return n, err
	}
	return n, rows.Err()
}

// rowSource feeds COPY from SQLite's rows, each value converted to what
// the target column holds.
type rowSource struct {
	rows *sql.Rows
	cols []pgColumn
	vals []any
	err  error
}

func (s *rowSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	raw := make([]any, len(s.cols))
	ptrs := make([]any, len(s.cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		s.err = err
		return false
	}
	s.vals = make([]any, len(s.cols))
	for i, c := range s.cols {
		v, err := convert(raw[i], c)
		if err != nil {
			s.err = fmt.Errorf("column %s: %w", c.name, err)
			return false
		}
		s.vals[i] = v
	}
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.vals, nil }
func (s *rowSource) Err() error             { return s.err }

// convert makes a SQLite value (int64, float64, string, []byte, nil) the
// Go value for the PostgreSQL column c: the stores keep SQLite's
// representations on PostgreSQL (times as text or integers, blobs as
// bytea, flags as integers), so this mostly passes values through; the
// rest covers what SQLite's loose typing lets a file hold.
//
// SQLite's driver reads an empty blob as a nil []byte (sqlite3_column_blob
// has no pointer for zero bytes), which pgx would send as NULL: it goes
// as the empty blob it was. SQL NULL arrives as a nil interface.
func convert(v any, c pgColumn) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok && b == nil {
		v = []byte{}
	}
	switch c.typ {
	case "bytea":
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case "text", "character varying", "character":
		switch x := v.(type) {
		case []byte:
			return string(x), nil
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			return strconv.FormatFloat(x, 'g', -1, 64), nil
		}
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case float64:
			if x != float64(int64(x)) {
				return nil, fmt.Errorf("%v is not an integer", x)
			}
			return int64(x), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case "double precision", "real", "numeric":
		if x, ok := v.(int64); ok {
			return float64(x), nil
		}
	case "boolean":
		if x, ok := v.(int64); ok {
			return x != 0, nil
		}
	}
	return v, nil
}

// continueSequences sets the sequence of each identity or serial column
// of table after the largest value it holds, so that the next row the
// back office inserts does not collide with a copied one.
func continueSequences(ctx context.Context, tx pgx.Tx, table string, cols []pgColumn) error {
	for _, c := range cols {
		var seq *string
		if err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, $2)`, pgx.Identifier{table}.Sanitize(), c.name).Scan(&seq); err != nil {
			return err
		}
		if seq == nil {
			continue
		}
		// setval of NULL (an empty table) is NULL and changes nothing.
		if _, err := tx.Exec(ctx, `SELECT setval($1::regclass, (SELECT max(`+pgx.Identifier{c.name}.Sanitize()+`) FROM `+
			pgx.Identifier{table}.Sanitize()+`))`, *seq); err != nil {
			return err
		}
	}
	return nil
}
