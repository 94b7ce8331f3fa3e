package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// The Merkle tree of the log.
//
// Beside the hash chain, every checkpoint carries the root of an RFC 6962
// Merkle tree over the log (golang.org/x/mod/sumdb/tlog, as the Go
// checksum database): leaf i (from 0) is tlog.RecordHash of event i+1's
// chain hash, the 64 lower-case hex characters. The chain hash commits to
// the event's content and to every event before it; the tree adds proofs
// that need no other event: that one event is in a signed checkpoint
// (inclusion, `admin audit prove`), and that an older checkpoint is a
// prefix of a newer one (consistency, tlog.ProveTree).
//
// The tree's stored hashes (tlog's layout: StoredHashIndex) are kept in
// tree_hashes, extended by the checkpointer up to the count it signs, so
// a checkpoint reads about log2(n) of them and never the whole log. They
// are derived data, like the search index: verification recomputes the
// roots from the events and never trusts the table; a table edited by
// someone makes the next checkpoint's root fail verification.

// treeFlush bounds the hashes held in memory while the tree is extended
// (the first checkpoint of a log that predates the tree adds all of it).
const treeFlush = 8192

// treeReader reads stored hashes through a transaction, the ones not yet
// written from pending.
type treeReader struct {
	ctx     context.Context
	q       *sql.Tx
	pending map[int64]tlog.Hash
}

func (r treeReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, id := range indexes {
		if h, ok := r.pending[id]; ok {
			out[i] = h
			continue
		}
		var b []byte
		if err := r.q.QueryRowContext(r.ctx, `SELECT hash FROM tree_hashes WHERE id = ?`, id).Scan(&b); err != nil {
			return nil, fmt.Errorf("audit: tree hash %d: %w", id, err)
		}
		if len(b) != len(out[i]) {
			return nil, fmt.Errorf("audit: tree hash %d: bad length", id)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// treeRoot extends the stored tree to the log's first n events and
// returns its root.
func (l *Log) treeRoot(ctx context.Context, n int64) (tlog.Hash, error) {
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("audit: tree: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	root, err := treeRootIn(ctx, tx, n)
	if err != nil {
		return tlog.Hash{}, err
	}
	if err := tx.Commit(); err != nil {
		return tlog.Hash{}, fmt.Errorf("audit: tree: %w", err)
	}
	return root, nil
}

// treeRootIn is treeRoot in the caller's write transaction.
func treeRootIn(ctx context.Context, tx *sql.Tx, n int64) (tlog.Hash, error) {
	var leaves int64
	err := tx.QueryRowContext(ctx, `SELECT leaves FROM tree_state WHERE id = 1`).Scan(&leaves)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return tlog.Hash{}, fmt.Errorf("audit: tree: %w", err)
	}
	// Stored hashes of more leaves hold those of fewer (tlog's layout is
	// append-only), so a tree ahead of n (another writer appended since n
	// was read) answers as it is.
	r := treeReader{ctx: ctx, q: tx, pending: map[int64]tlog.Hash{}}
	flush := func() error {
		for id, h := range r.pending {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tree_hashes (id, hash) VALUES (?, ?)`, id, h[:]); err != nil {
				return fmt.Errorf("audit: tree: %w", err)
			}
		}
		clear(r.pending)
		return nil
	}
	for leaves < n {
		hashes, err := eventHashes(ctx, tx, leaves+1, min(n, leaves+treeFlush))
		if err != nil {
			return tlog.Hash{}, err
		}
		for _, eh := range hashes {
			stored, err := tlog.StoredHashes(leaves, []byte(eh), r)
			if err != nil {
				return tlog.Hash{}, fmt.Errorf("audit: tree: %w", err)
			}
			base := tlog.StoredHashIndex(0, leaves)
			for i, h := range stored {
				r.pending[base+int64(i)] = h
			}
			leaves++
		}
		if err := flush(); err != nil {
			return tlog.Hash{}, err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tree_state (id, leaves) VALUES (1, ?)
		ON CONFLICT (id) DO UPDATE SET leaves = CASE WHEN excluded.leaves > tree_state.leaves THEN excluded.leaves ELSE tree_state.leaves END`, leaves); err != nil {
		return tlog.Hash{}, fmt.Errorf("audit: tree: %w", err)
	}
	root, err := tlog.TreeHash(n, r)
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("audit: tree: %w", err)
	}
	return root, nil
}

// rootOf is the tree root, base64, of the log's first n events.
func (l *Log) rootOf(ctx context.Context, n int64) (string, error) {
	root, err := l.treeRoot(ctx, n)
	if err != nil {
		return "", err
	}
	return root.String(), nil
}

// eventHashes returns the chain hashes of events from..to.
func eventHashes(ctx context.Context, tx *sql.Tx, from, to int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seq, hash FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("audit: tree: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var seq int64
		var h string
		if err := rows.Scan(&seq, &h); err != nil {
			return nil, fmt.Errorf("audit: tree: %w", err)
		}
		if seq != from+int64(len(out)) {
			return nil, fmt.Errorf("audit: tree: event %d missing", from+int64(len(out)))
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: tree: %w", err)
	}
	if int64(len(out)) != to-from+1 {
		return nil, fmt.Errorf("audit: tree: events %d..%d missing", from+int64(len(out)), to)
	}
	return out, nil
}

// frontier computes Merkle roots while events are read in order: the
// roots of the perfect subtrees the leaves so far split into, largest
// first (RFC 6962's tree of n leaves is their right-to-left fold).
type frontier struct {
	hashes []tlog.Hash
	sizes  []int64
}

func (f *frontier) add(eventHash string) {
	h, size := tlog.RecordHash([]byte(eventHash)), int64(1)
	for k := len(f.sizes) - 1; k >= 0 && f.sizes[k] == size; k-- {
		h, size = tlog.NodeHash(f.hashes[k], h), size*2
		f.hashes, f.sizes = f.hashes[:k], f.sizes[:k]
	}
	f.hashes, f.sizes = append(f.hashes, h), append(f.sizes, size)
}

// emptyRoot is RFC 6962's hash of the empty tree, SHA-256 of nothing (as
// tlog.TreeHash(0) answers).
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

// root is the tree hash of the leaves added so far.
func (f *frontier) root() tlog.Hash {
	if len(f.hashes) == 0 {
		return emptyRoot
	}
	h := f.hashes[len(f.hashes)-1]
	for k := len(f.hashes) - 2; k >= 0; k-- {
		h = tlog.NodeHash(f.hashes[k], h)
	}
	return h
}

// resetTree drops the stored tree (an acknowledged restore: a tree built
// over events the restore replaced would give wrong roots); the next
// checkpoint builds it again from the events.
func (l *Log) resetTree(ctx context.Context) error {
	// One statement each: PostgreSQL prepares a statement with arguments
	// or not, and a prepared statement holds one command.
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit: tree: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	for _, q := range []string{`DELETE FROM tree_hashes`, `DELETE FROM tree_state`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("audit: tree: %w", err)
		}
	}
	return tx.Commit()
}

// ConsistencyProof proves that the log's first m events are a prefix of
// its first n (tlog.ProveTree over the stored tree, which covers n once a
// checkpoint of n was signed), as base64 hashes: what a witness checks
// before it co-signs a checkpoint of n over one of m it holds.
func (l *Log) ConsistencyProof(ctx context.Context, n, m int64) ([]string, error) {
	tx, err := l.db.R.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("audit: proof: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	p, err := tlog.ProveTree(n, m, treeReader{ctx: ctx, q: tx})
	if err != nil {
		return nil, fmt.Errorf("audit: consistency proof %d..%d: %w", m, n, err)
	}
	out := make([]string, len(p))
	for i, h := range p {
		out[i] = h.String()
	}
	return out, nil
}
