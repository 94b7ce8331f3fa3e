package audit

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"ordercare/internal/db"
)

// Verify walks the whole chain in seq order and reports the first event
// whose seq, prev_hash or hash does not match what the events before it
// imply. It reads through one read transaction, so appends may continue.
func (l *Log) Verify(ctx context.Context) (VerifyResult, error) {
	res, _, err := walk(ctx, l.db.R, nil)
	return res, err
}

// VerifyFile verifies the audit database at path, opened read-only (for
// `admin audit verify`, which may run next to a serving admin). It never
// creates or migrates the file. A postgres:// URL in place of the path
// verifies the log on that PostgreSQL database (ORDERCARE_DATABASE_URL)
// with the same walk, through read-only sessions.
func VerifyFile(ctx context.Context, path string) (VerifyResult, error) {
	d, done, err := openReadOnly(ctx, path)
	if err != nil {
		return VerifyResult{}, err
	}
	defer done()
	res, _, err := walk(ctx, d, nil)
	return res, err
}

// isPostgresURL reports whether path names a PostgreSQL database
// (postgres:// or postgresql://, as libpq and pgx accept them) rather
// than a file.
func isPostgresURL(path string) bool {
	return strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://")
}

// openReadOnly opens the audit database at path read-only, without
// creating or migrating it, and returns it with what closes it. path may
// be a postgres:// URL (the read pool of db.OpenPostgres).
func openReadOnly(ctx context.Context, path string) (*sql.DB, func(), error) {
	if isPostgresURL(path) {
		d, err := db.OpenPostgres(ctx, path, "audit")
		if err != nil {
			return nil, nil, fmt.Errorf("audit: %w", err)
		}
		return d.R, func() { _ = d.Close() }, nil
	}
	if _, err := os.Stat(path); err != nil {
		return nil, nil, fmt.Errorf("audit: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	q.Set("mode", "ro")
	d, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, nil, fmt.Errorf("audit: open %s: %w", path, err)
	}
	return d, func() { _ = d.Close() }, nil
}

// walked is what a walk collects besides the result: the stored hash of
// every seq asked for (for checkpoints) and the acknowledged restores.
type walked struct {
	hashes map[int64]string
	roots  map[int64]tlog.Hash // the Merkle root at every seq in need (tree.go)
	acks   []acknowledgement
}

// walk checks the chain in seq order through one read transaction and
// returns the stored hash of every seq in need (for checkpoints) and the
// acknowledgements it met.
func walk(ctx context.Context, d *sql.DB, need map[int64]bool) (VerifyResult, walked, error) {
	w := walked{hashes: map[int64]string{}, roots: map[int64]tlog.Hash{0: emptyRoot}}
	var tree frontier
	tx, err := d.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return VerifyResult{}, w, fmt.Errorf("audit: verify: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	rows, err := tx.QueryContext(ctx, `SELECT `+selectColumns+` FROM events ORDER BY seq`)
	if err != nil {
		return VerifyResult{}, w, fmt.Errorf("audit: verify: %w", err)
	}
	defer rows.Close()
	var c chainChecker
	for rows.Next() {
		r, err := scanRow(rows)
		c.add(r, err)
		if err != nil {
			continue
		}
		tree.add(r.Hash)
		if need[r.Seq] {
			w.hashes[r.Seq] = r.Hash
			w.roots[r.Seq] = tree.root()
		}
		if r.Kind == string(KindAcknowledged) {
			if a, ok := acknowledgementOf(r); ok {
				w.acks = append(w.acks, a)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return VerifyResult{}, w, fmt.Errorf("audit: verify: %w", err)
	}
	return c.result(), w, nil
}

// chainChecker checks rows one by one in seq order and remembers the first
// mismatch.
type chainChecker struct {
	res  VerifyResult
	prev string
	bad  bool
}

// add checks the next row; scanErr is the error reading it, if any.
func (c *chainChecker) add(r row, scanErr error) {
	c.res.Events++
	if c.bad {
		return // count the rest, report only the first mismatch
	}
	if c.prev == "" {
		c.prev = GenesisHash
	}
	fail := func(seq int64, reason string) { c.bad, c.res.FirstBad, c.res.Reason = true, seq, reason }
	switch {
	case scanErr != nil:
		// A value of the wrong type (the table is STRICT, so only an edit
		// of the file can cause it) is a mismatch, not a verifier failure.
		fail(c.res.Events, fmt.Sprintf("unreadable row after seq %d: %v", c.res.Events-1, scanErr))
	case r.Seq != c.res.Events:
		fail(r.Seq, fmt.Sprintf("seq %d follows seq %d: events missing or inserted", r.Seq, c.res.Events-1))
	case r.PrevHash != c.prev:
		fail(r.Seq, fmt.Sprintf("prev_hash of seq %d does not match the hash of the event before it", r.Seq))
	case r.Hash != r.computeHash():
		fail(r.Seq, fmt.Sprintf("hash of seq %d does not match its content", r.Seq))
	}
	c.prev = r.Hash
}

func (c *chainChecker) result() VerifyResult {
	res := c.res
	res.OK = !c.bad
	return res
}
