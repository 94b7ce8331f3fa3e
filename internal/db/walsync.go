package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// Commits that wait for the disk later, on SQLite.
//
// A commit with synchronous=FULL writes its frames into the WAL and
// fsyncs the WAL before it returns; with synchronous=NORMAL it only
// writes them: the transaction is in the WAL, seen by every reader and
// kept across an application crash, but a power loss may roll it back
// until the WAL is synced (sqlite.org/pragma.html#pragma_synchronous,
// sqlite.org/wal.html). Nothing else differs: the frames written are the
// same, so an fsync of the WAL file made after such a commit makes it as
// durable as a FULL commit would have.
//
// TxUnsynced and SyncWAL split the two steps, so that one fsync can serve
// many commits made while it runs (the audit log's appends, which must
// be on disk before their change is sent, wait for one; the outcomes,
// which only must be seen at once, do not).

// TxUnsynced runs fn in an immediate transaction on the writer and
// commits it without waiting for the disk: on SQLite with
// synchronous=NORMAL for this transaction only, on PostgreSQL with
// synchronous_commit off (postgresql.org/docs/current/wal-async-commit.html:
// the server flushes it within three wal_writer_delay). The writer's
// connection is held throughout, so no other transaction of the writer
// ever commits with the lowered setting; should the setting not come
// back, the connection is thrown away (a new one opens with the DSN's).
func (d *DB) TxUnsynced(ctx context.Context, fn func(*sql.Tx) error) error {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close() //nolint:errcheck // returns the connection to the pool
	if !d.Postgres {
		if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=NORMAL"); err != nil {
			return err
		}
		defer func() {
			// Not the caller's context: the setting must come back
			// even when that one has ended.
			if _, err := conn.ExecContext(context.Background(), "PRAGMA synchronous="+string(d.sync)); err != nil {
				_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // discards the connection
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if d.Postgres {
		if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// walFile is the -wal file of a SQLite database, opened by SyncWAL.
type walFile struct {
	mu sync.Mutex
	f  *os.File
}

// SyncWAL makes every transaction committed so far as durable as a FULL
// commit: it syncs the WAL file (the data of the file, whichever
// descriptor wrote it; fdatasync where the system has it, as SQLite
// itself does). The first call also syncs the folder, which holds the
// WAL's name. The WAL exists from the first write until the last
// connection closes, and keeps its name and file when SQLite starts it
// over after a checkpoint. Nothing to do on PostgreSQL.
func (d *DB) SyncWAL() error {
	if d.Postgres {
		return nil
	}
	d.wal.mu.Lock()
	defer d.wal.mu.Unlock()
	if d.wal.f == nil {
		f, err := os.Open(d.Path + "-wal") // #nosec G304 -- the WAL beside the database's own configured file
		if err != nil {
			return fmt.Errorf("db: WAL of %s: %w", d.Path, err)
		}
		if err := syncDir(filepath.Dir(d.Path)); err != nil {
			_ = f.Close() // the folder's error is the one to report
			return err
		}
		d.wal.f = f
	}
	if err := datasync(d.wal.f); err != nil {
		return fmt.Errorf("db: syncing the WAL of %s: %w", d.Path, err)
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir) // #nosec G304 -- the database's own folder
	if err != nil {
		return fmt.Errorf("db: folder of the WAL: %w", err)
	}
	return errors.Join(f.Sync(), f.Close())
}

func (w *walFile) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.f == nil {
		return nil
	}
	err := w.f.Close()
	w.f = nil
	return err
}
