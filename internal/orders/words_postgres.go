package orders

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"ordercare/internal/db"
)

// pgWords are PostgreSQL's: order_terms holds one row per term of an
// order, (term, sort_key) its primary key, in byte order (COLLATE "C"):
//
//   - "w:" and each word of its names, e-mails and references as
//     indexText splits them, with the word's first 1 to prefixIndexMax
//     characters as terms of their own (what FTS5's prefix indexes hold);
//   - "r:" and each word of its references again, for the exact lookup;
//   - "p:" and each form of its phone numbers (digitForms).
//
// A short word or prefix is then one term, whose entries the btree keeps
// in sort-key order: a page of "a" reads the newest 26 entries of the
// term "w:a" backwards and stops, instead of collecting every order that
// has a word starting with a before sorting (a GIN index, trigram or
// full-text, returns its matches unordered: it sorts them all). A longer
// last word is a range of terms ("w:berg5" to "w:berg5\U0010FFFF"),
// sorted, and used only when its range is the query's smallest. The
// conditions are wider than the query (a phrase's words need not be
// next to each other, a range stands for only one word); the index's
// rule, matchesAll, checks every row read.
type pgWords struct{ d *db.DB }

// maxTermBytes bounds a term's word: a btree entry must fit in a third
// of a page (https://www.postgresql.org/docs/current/btree-implementation.html),
// and a word this long is found by its start. A longer word is cut (at a
// character boundary), stored and looked up cut; the rows it finds are
// checked whole (matchesAll, exactField).
const maxTermBytes = 256

// cutTerm is t within maxTermBytes, and whether it was cut.
func cutTerm(t string) (string, bool) {
	if len(t) <= maxTermBytes {
		return t, false
	}
	n := maxTermBytes
	for n > 0 && !utf8.RuneStart(t[n]) {
		n--
	}
	return t[:n], true
}

// pgTerms are the terms of fields.
func pgTerms(fields []Field) []string {
	seen := map[string]bool{}
	var out []string
	add := func(t string) {
		t, _ = cutTerm(t)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, f := range fields {
		col := f.Kind.Column()
		if col == "phones" {
			for _, d := range digitForms(f.Value) {
				add("p:" + d)
			}
			continue
		}
		for _, t := range tokens(indexText(f)) {
			if col == "refs" {
				add("r:" + t)
			}
			add("w:" + t)
			r := []rune(t)
			for n := 1; n <= prefixIndexMax && n < len(r); n++ {
				add("w:" + string(r[:n]))
			}
		}
	}
	return out
}

// Terms never hold a space (tokens split on it), so a list of them
// travels as one text parameter: the same statement for any number.
func (pgWords) put(ctx context.Context, tx execer, key int64, fields []Field) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_terms (term, sort_key)
		SELECT unnest(string_to_array(?, ' ')), ? ON CONFLICT DO NOTHING`, strings.Join(pgTerms(fields), " "), key)
	return err
}

func (pgWords) drop(ctx context.Context, tx execer, key int64, fields []Field) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM order_terms WHERE sort_key = ? AND term = ANY(string_to_array(?, ' '))`,
		key, strings.Join(pgTerms(fields), " "))
	return err
}

// termCond is one term (hi == "") or the terms from lo up to hi.
type termCond struct{ lo, hi string }

func termEq(t string) termCond { return termCond{lo: t} }

// termPrefix is every term starting with t: U+10FFFF is the largest
// character, so in byte order it follows every word that starts so.
func termPrefix(t string) termCond { return termCond{lo: t, hi: t + "\U0010FFFF"} }

func (c termCond) sql(alias string) (string, []any) {
	if c.hi == "" {
		return alias + `.term = ?`, []any{c.lo}
	}
	return alias + `.term >= ? AND ` + alias + `.term < ?`, []any{c.lo, c.hi}
}

const pgFrom = `order_terms t`

// probeCap bounds the entries counted to choose the driving condition.
const probeCap = 5000

func (p pgWords) match(ctx context.Context, q string, widen bool) (textMatch, bool, error) {
	var conds []termCond
	widened := false
	for _, w := range queryWords(q) {
		toks := tokens(w)
		if len(toks) == 0 {
			toks = []string{w}
		}
		for i, t := range toks {
			r := []rune(t)
			cut, long := cutTerm("w:" + t)
			var c termCond
			switch {
			case long && widen:
				c, widened = termEq("w:"+string(r[:prefixIndexMax])), true
			case long:
				c = termPrefix(cut)
			case i < len(toks)-1 || len(r) <= prefixIndexMax:
				c = termEq("w:" + t)
			case widen:
				c, widened = termEq("w:"+string(r[:prefixIndexMax])), true
			default:
				c = termPrefix("w:" + t)
			}
			if !containsCond(conds, c) {
				conds = append(conds, c)
			}
		}
	}
	m := textMatch{from: pgFrom, key: "t.sort_key", fenced: true, widened: widened}
	digits := phoneQuery(q)
	if len(conds) == 0 && digits == "" {
		return textMatch{}, false, nil
	}
	var driver termCond
	var rest []termCond
	if len(conds) > 0 {
		i, err := p.smallest(ctx, conds)
		if err != nil {
			return textMatch{}, false, err
		}
		driver, rest = conds[i], append(append([]termCond{}, conds[:i]...), conds[i+1:]...)
	}
	if digits != "" {
		// The number or the words: one condition or the other.
		ph, pargs := termPrefix("p:" + digits).sql("t")
		if len(conds) == 0 {
			m.where, m.args = []string{ph}, pargs
			return m, true, nil
		}
		w, wargs := driver.sql("t")
		m.where, m.args = []string{`((` + ph + `) OR (` + w + `))`}, append(pargs, wargs...)
		return m, true, nil
	}
	w, args := driver.sql("t")
	m.where, m.args = []string{w}, args
	for _, c := range rest {
		if c.hi != "" {
			continue // a range per row would read the range per row: matchesAll checks it
		}
		m.where = append(m.where, `EXISTS (SELECT 1 FROM order_terms x WHERE x.term = ? AND x.sort_key = t.sort_key)`)
		m.args = append(m.args, c.lo)
	}
	return m, true, nil
}

func containsCond(cs []termCond, c termCond) bool {
	for _, x := range cs {
		if x == c {
			return true
		}
	}
	return false
}

// smallest is the index of the condition with the fewest entries, each
// counted up to probeCap from the index alone: the rows to read are then
// those of the rarest word, the others checked per row. Without a range
// it is the first: single terms are each read in key order, and the
// planner intersects them by merging, whichever is named first.
func (p pgWords) smallest(ctx context.Context, conds []termCond) (int, error) {
	ranged := false
	for _, c := range conds {
		ranged = ranged || c.hi != ""
	}
	if len(conds) == 1 || !ranged {
		return 0, nil
	}
	best, bestN := 0, -1
	for i, c := range conds {
		w, args := c.sql("t")
		var n int
		// #nosec G202 -- w is one of termCond.sql's constant fragments; values are ? parameters
		if err := p.d.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM order_terms t WHERE `+w+` LIMIT ?) s`,
			append(args, probeCap)...).Scan(&n); err != nil {
			return 0, fmt.Errorf("orders: search: %w", err)
		}
		if bestN < 0 || n < bestN {
			best, bestN = i, n
		}
	}
	return best, nil
}

func (pgWords) refs(q string) (textMatch, bool) {
	var terms []string
	for _, w := range queryWords(q) {
		for _, t := range tokens(w) {
			cut, _ := cutTerm("r:" + t)
			terms = append(terms, cut)
		}
	}
	if len(terms) == 0 {
		return textMatch{}, false
	}
	// The longest word drives: references are mostly one long word.
	longest := 0
	for i, t := range terms {
		if len(t) > len(terms[longest]) {
			longest = i
		}
	}
	m := textMatch{from: pgFrom, key: "t.sort_key", fenced: true, where: []string{`t.term = ?`}, args: []any{terms[longest]}}
	for i, t := range terms {
		if i != longest {
			m.where = append(m.where, `EXISTS (SELECT 1 FROM order_terms x WHERE x.term = ? AND x.sort_key = t.sort_key)`)
			m.args = append(m.args, t)
		}
	}
	return m, true
}
