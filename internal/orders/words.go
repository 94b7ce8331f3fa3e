package orders

import (
	"context"
	"strings"

	"ordercare/internal/db"
)

// words is where the index keeps each order's search words and how a
// search reads them back, the one part of the search that differs between
// the databases: FTS5 on SQLite (below), a table of terms on PostgreSQL
// (words_postgres.go). Which words an order has (indexText, digitForms),
// how a query is folded and cut (queryWords, matchExpr's widening), and
// whether an order matches (matchesAll, exactField) are the same rules
// for both (searchtext.go); where a database's match is wider than the
// query, those rules judge each row it returns.
type words interface {
	// put stores the words of fields under the order's sort key; drop
	// removes the words put under key for fields.
	put(ctx context.Context, tx execer, key int64, fields []Field) error
	drop(ctx context.Context, tx execer, key int64, fields []Field) error
	// match is the source of the orders that may match q's words, newest
	// first; ok is false when nothing can match. widen cuts long last
	// words to the indexed prefixes (matchExpr).
	match(ctx context.Context, q string, widen bool) (m textMatch, ok bool, err error)
	// refs is the source of the orders one of whose references holds
	// q's words as a phrase (FindExact), judged by exactField.
	refs(q string) (m textMatch, ok bool)
}

// textMatch is the orders that may match a query's words: a FROM clause
// with its conditions and their arguments, whose rows come newest first
// by key.
type textMatch struct {
	from  string
	where []string
	args  []any
	key   string
	// fenced: from and where select only keys, read and checked before
	// any order's row is (PostgreSQL's planner would otherwise join the
	// orders before checking the other words when it misjudges how many
	// keys a range holds, or walk the orders to the keys of a date
	// range); each order is then read by its key.
	fenced bool
	// widened: a word was cut; exact: each row matches q as matchesAll
	// does, so no row needs checking; lazy: the statement produces rows
	// only as they are read (SQLite's), so one statement can be left
	// after a page.
	widened, exact, lazy bool
}

// statement is the SELECT of cols and the key from the match's orders
// whose key meets keyWhere and that pass filters (conditions on
// order_index o), newest first, LIMIT ? last. Its arguments are m.args,
// then keyWhere's, then filters', then the limit.
func (m textMatch) statement(cols string, keyWhere, filters []string) string {
	// #nosec G202 -- every fragment is a constant; values are ? parameters
	if m.fenced {
		// OFFSET 0 keeps each subquery planned on its own: the keys
		// first, then each order looked up by its key (a nested loop
		// in key order that stops with the page, where a merge join
		// would walk the orders from the newest down to the keys).
		return `SELECT ` + cols + `, k.key FROM (SELECT ` + m.key + ` AS key FROM ` + m.from +
			` WHERE ` + strings.Join(append(append([]string{}, m.where...), keyWhere...), ` AND `) +
			` ORDER BY ` + m.key + ` DESC OFFSET 0) k CROSS JOIN LATERAL (SELECT * FROM order_index o WHERE ` +
			strings.Join(append([]string{`o.search_rowid = k.key`}, filters...), ` AND `) +
			` OFFSET 0) o ORDER BY k.key DESC LIMIT ?`
	}
	where := append(append(append([]string{}, m.where...), keyWhere...), filters...)
	return `SELECT ` + cols + `, ` + m.key + ` FROM ` + m.from + ` WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY ` + m.key + ` DESC LIMIT ?`
}

func wordsFor(d *db.DB) words {
	if d.Postgres {
		return pgWords{d: d}
	}
	return ftsWords{}
}

// ftsWords are SQLite's: order_search, an FTS5 table whose rowid is the
// order's sort key (search.go), with prefix indexes of 1 to 3 characters.
type ftsWords struct{}

func (ftsWords) put(ctx context.Context, tx execer, key int64, fields []Field) error {
	cols := map[string][]string{}
	for _, f := range fields {
		c := f.Kind.Column()
		cols[c] = append(cols[c], indexText(f))
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO order_search (rowid, names, emails, phones, refs) VALUES (?,?,?,?,?)`,
		key, strings.Join(cols["names"], " "), strings.Join(cols["emails"], " "),
		strings.Join(cols["phones"], " "), strings.Join(cols["refs"], " "))
	return err
}

// drop deletes by rowid alone: the table is contentless_delete=1.
func (ftsWords) drop(ctx context.Context, tx execer, key int64, _ []Field) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM order_search WHERE rowid = ?`, key)
	return err
}

const ftsFrom = `order_search CROSS JOIN order_index o ON o.search_rowid = order_search.rowid`

// match: CROSS JOIN keeps order_search the outer loop, read in rowid
// order: the plan that stops after one page.
func (ftsWords) match(_ context.Context, q string, widen bool) (textMatch, bool, error) {
	expr, widened := matchExpr(q, widen)
	if expr == "" {
		return textMatch{}, false, nil // only punctuation: nothing can match
	}
	return textMatch{from: ftsFrom, where: []string{`order_search MATCH ?`}, args: []any{expr},
		key: "order_search.rowid", widened: widened, exact: !widened, lazy: true}, true, nil
}

func (ftsWords) refs(q string) (textMatch, bool) {
	var phrase []string
	for _, w := range queryWords(q) {
		phrase = append(phrase, strings.ReplaceAll(w, `"`, `""`))
	}
	if len(phrase) == 0 {
		return textMatch{}, false
	}
	return textMatch{from: ftsFrom, where: []string{`order_search MATCH ?`},
		args: []any{`refs : "` + strings.Join(phrase, " ") + `"`}, key: "order_search.rowid"}, true
}

// indexedBy is SQLite's INDEXED BY clause naming the index a query must
// use; PostgreSQL's planner has no such hint, and picks it by itself.
func indexedBy(d *db.DB, index string) string {
	if d.Postgres {
		return ""
	}
	return ` INDEXED BY ` + index
}

// idsIn is the condition that o.order_id is in a JSON list of strings.
func idsIn(d *db.DB) string {
	if d.Postgres {
		return `o.order_id IN (SELECT jsonb_array_elements_text(CAST(? AS jsonb)))`
	}
	return `o.order_id IN (SELECT value FROM json_each(?))`
}
