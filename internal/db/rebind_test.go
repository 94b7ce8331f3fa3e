package db

import "testing"

func TestRebind(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`SELECT a FROM t WHERE a = ? AND b IN (?, ?)`, `SELECT a FROM t WHERE a = $1 AND b IN ($2, $3)`},
		{`SELECT '?', "w?", 'it''s ?' FROM t WHERE a = ?`, `SELECT '?', "w?", 'it''s ?' FROM t WHERE a = $1`},
		{"SELECT a -- why?\nFROM t WHERE a = ?", "SELECT a -- why?\nFROM t WHERE a = $1"},
		{`SELECT 'open ?`, `SELECT 'open ?`},
		{`DELETE FROM t WHERE a = ?1 AND (SELECT count(*) FROM t WHERE a = ?1) > ?2 LIMIT ?`, `DELETE FROM t WHERE a = $1 AND (SELECT count(*) FROM t WHERE a = $1) > $2 LIMIT $3`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
