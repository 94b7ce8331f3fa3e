package main

// The copying of migrate-to-postgres (migrate.go): any SQLite file's
// tables into the same tables on PostgreSQL, knowing of the stores only
// which tables are rebuilt rather than copied (rebuilt, migrate.go).

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

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
	// #nosec G202 -- the names are the file's own tables and columns, quoted as identifiers; no value is spliced in
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
