package db

import (
	"strconv"
	"strings"
	"sync"
)

// rebound caches rewritten query texts: the stores' queries are a fixed
// set of constants, so the cache stays small.
var rebound sync.Map // string -> string

// rebind rewrites SQLite's positional ? placeholders into PostgreSQL's
// numbered $1, $2 … (https://www.postgresql.org/docs/current/sql-expressions.html#SQL-EXPRESSIONS-PARAMETERS-POSITIONAL),
// leaving ? inside string literals, quoted identifiers and comments alone.
// SQLite's numbered ?NNN becomes $NNN, and a plain ? after it takes the
// next number, as in SQLite (https://www.sqlite.org/lang_expr.html#parameters),
// so a query that names one value twice (?1 … ?1) means the same on both.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			end := strings.IndexByte(query[i+1:], c)
			if end < 0 {
				b.WriteString(query[i:])
				i = len(query)
				continue
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			if j > i+1 {
				if k, err := strconv.Atoi(query[i+1 : j]); err == nil {
					n = max(n, k)
				}
				b.WriteString("$" + query[i+1:j])
				i = j - 1
				continue
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}
