package audit

import (
	"context"
	"fmt"
	"time"

	"ordercare/internal/db"
)

// Observer is told how appends and group commits go, for metrics. Its
// methods run on the appending goroutine (Appended) and on the writer
// (Committed), so they must be quick and must not call back into the Log.
type Observer interface {
	// Appended reports one Append that reached the writer: how long the
	// caller waited for its commit, and the commit's error.
	Appended(wait time.Duration, err error)
	// Committed reports one commit of the writer: how many events it
	// carried, how long it took, and its error.
	Committed(events int, took time.Duration, err error)
}

// WALObserver is an Observer that also hears of the WAL checkpoints the
// Log runs behind its writer (on SQLite). WALCheckpointed runs on the
// checkpoints' goroutine, with the same rules as the Observer's methods.
type WALObserver interface {
	WALCheckpointed(cp db.Checkpoint)
}

// SyncObserver is an Observer that also hears of every sync of the
// events to disk after their commits (durable.go), on the syncer's
// goroutine, with the same rules as the Observer's methods.
type SyncObserver interface {
	Synced(took time.Duration, err error)
}

// observerBox lets an Observer sit in an atomic.Pointer.
type observerBox struct{ o Observer }

// SetObserver installs o (nil removes it); safe while appends run.
func (l *Log) SetObserver(o Observer) {
	if o == nil {
		l.observer.Store(nil)
		return
	}
	l.observer.Store(&observerBox{o: o})
}

func (l *Log) observeAppend(start time.Time, err error) {
	if b := l.observer.Load(); b != nil {
		b.o.Appended(time.Since(start), err)
	}
}

func (l *Log) observeWALCheckpoint(cp db.Checkpoint) {
	if b := l.observer.Load(); b != nil {
		if o, ok := b.o.(WALObserver); ok {
			o.WALCheckpointed(cp)
		}
	}
}

func (l *Log) observeSync(start time.Time, err error) {
	if b := l.observer.Load(); b != nil {
		if o, ok := b.o.(SyncObserver); ok {
			o.Synced(time.Since(start), err)
		}
	}
}

func (l *Log) observeCommit(events int, start time.Time, err error) {
	if b := l.observer.Load(); b != nil {
		b.o.Committed(events, time.Since(start), err)
	}
}

// Writable reports whether an event could be appended now, without
// appending one: the log is open, its writer runs, and the write lock of
// audit.db can be taken (BEGIN IMMEDIATE) and given back. The check waits
// for the writer's connection like any commit, so it queues behind at most
// one batch and never splits one.
func (l *Log) Writable(ctx context.Context) error {
	l.mu.RLock()
	closed := l.closed
	l.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	select {
	case <-l.done:
		return ErrClosed
	default:
	}
	if err := l.syncFailure(); err != nil {
		return err
	}
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("audit: cannot take the write lock: %w", err)
	}
	return tx.Rollback()
}
