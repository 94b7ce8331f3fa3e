package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
)

// Checkpoints of a fleet.
//
// On PostgreSQL every instance runs a checkpointer over the one shared log,
// with the one key the fleet is given (ORDERCARE_AUDIT_SIGNING_KEY), into
// the shared table (checkpoint_store.go). Which instance signs: the one
// whose commit made a checkpoint due (decided by its seq, as on SQLite).
// It signs inside a transaction on the log's writer connection, which
// holds the fleet's append lock (db.OpenPostgres) from before it reads
// the table's newest checkpoint until the new note is committed, and so
// re-checks in there whether a checkpoint is still due: another instance
// may have signed one since (its commit came first). So no two instances
// sign one count from a commit, and the counts in the table never go
// backwards: every note stored holds at most the head at its insert, and a
// due checkpoint below the newest one is not due. The Merkle tree is
// extended in the same transaction. The cost is that appends of the whole
// fleet wait for a signature and two statements every Every events, as
// they already waited for the tree's extension.
//
// Forced checkpoints (start, hourly, close) cover the head, read in that
// transaction. One per fleet is enough: when the table's newest
// checkpoint already covers the head and was signed less than an Interval
// ago (by any instance), none is added. So a fleet that appends nothing
// still gets one about every Interval from whichever instance ticks
// first, and an instance starting or stopping adds one only when
// something was appended since the newest.
//
// Nothing a fleet instance signs is marked stopped (tail.go): one instance
// stopping does not stop the back office, which goes on appending on the
// others.
//
// Each checkpoint is published (the outbox, a witness) by the instance that
// signed it, once.

// checkpointShared is checkpoint on the fleet's table.
func (c *checkpointer) checkpointShared(ctx context.Context, force bool, minNew, committed int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	cp, msg, err := c.signShared(ctx, force, minNew, committed)
	if err != nil {
		c.lastErr = err
		c.cfg.Logger.Error("audit checkpoint not written", slog.Any("err", err))
		return
	}
	c.fleetLast = cp
	if msg != nil {
		c.signed(cp, msg)
	}
}

// signShared stores a checkpoint when one is due and returns it with its
// note; when none is, it returns the table's newest and no note. c.mu is
// held.
func (c *checkpointer) signShared(ctx context.Context, force bool, minNew, committed int64) (Checkpoint, []byte, error) {
	tx, err := c.l.db.W.BeginTx(ctx, nil) // takes the fleet's append lock
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	newest, err := c.newestIn(ctx, tx)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	var n int64
	var h string
	if force {
		if n, h, err = scanHead(tx.QueryRowContext(ctx, headSQL)); err != nil {
			return Checkpoint{}, nil, err
		}
		if !newest.Time.IsZero() && newest.Count == n && c.l.now().Sub(newest.Time) < c.cfg.Interval {
			return newest, nil, nil
		}
	} else {
		n = committed
		if n-newest.Count < minNew {
			return newest, nil, nil
		}
		if h, err = hashAt(ctx, tx, n); err != nil {
			return Checkpoint{}, nil, err
		}
	}
	root, err := treeRootIn(ctx, tx, n)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	cp := Checkpoint{Count: n, Head: h, Time: c.l.now().UTC(), Root: root.String()}
	msg, err := SignCheckpoint(c.cfg.Key.Signer, cp)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	if _, err := tx.ExecContext(ctx, insertNoteSQL, msg, c.l.instance); err != nil {
		return Checkpoint{}, nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Checkpoint{}, nil, fmt.Errorf("audit: checkpoint: %w", err)
	}
	return cp, msg, nil
}

// newestIn is the table's newest checkpoint the key signed, read in tx:
// the last row, or when that is not one (a key hand-over) the newest of
// all.
func (c *checkpointer) newestIn(ctx context.Context, tx *sql.Tx) (Checkpoint, error) {
	var b []byte
	err := tx.QueryRowContext(ctx, `SELECT note FROM audit_checkpoints ORDER BY id DESC LIMIT 1`).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: checkpoints: %w", err)
	}
	if cp, err := OpenCheckpoint(b, c.verifier); err == nil {
		return cp, nil
	}
	all, err := readNotes(ctx, tx)
	if err != nil {
		return Checkpoint{}, err
	}
	return lastCheckpointInNotes(all, c.verifier), nil
}
