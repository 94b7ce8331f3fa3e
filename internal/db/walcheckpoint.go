package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// WAL checkpoints off the commit path.
//
// By default SQLite checkpoints a WAL database itself: the commit that
// takes the WAL past wal_autocheckpoint pages (1,000) runs a PASSIVE
// checkpoint in the committing connection before it returns, which copies
// those pages into the database file and syncs it
// (sqlite.org/wal.html#automatic_checkpoint). On the audit log, whose
// single writer commits everyone's events in one group commit, everyone
// waiting on that commit waits for that copy and fsync too.
//
// OpenWith(..., Options{BackgroundCheckpoints: true}) turns the automatic
// checkpoint off on the writer connection (wal_autocheckpoint=0) and runs
// the checkpoints from a goroutine on a connection of their own:
//
//   - a PASSIVE checkpoint every CheckpointInterval. PASSIVE takes no
//     lock a writer or a reader waits for and never calls the busy
//     handler: appends go on while it copies and syncs. It syncs the
//     database file only when it copied every frame of the WAL;
//   - when it could not copy every frame (commits arrived meanwhile), a
//     few more PASSIVE passes soon after, each copying what arrived
//     since: once one finishes with nothing left, the next writer starts
//     the WAL from its beginning again (SQLite restarts the log only
//     after a checkpoint copied all of it and no reader still uses it);
//   - only when the WAL still holds MaxWALFrames or more after that, a
//     RESTART checkpoint, which waits for the writer (so appends pause
//     while it copies what is left) and for readers, with a busy timeout
//     of CheckpointBusyTimeout, and makes the next writer restart the
//     log. A WAL that large means the passes kept losing the race, or a
//     reader holds an old snapshot; it must not grow without bound. A
//     RESTART that gives up on a reader kept appends waiting for its
//     whole busy timeout, so the next is tried only 30 s later.
//
// Durability does not depend on checkpoints: a transaction is durable once
// its commit frame is in the WAL and synced (synchronous=FULL syncs the
// WAL at every commit), and recovery after a crash replays the WAL. A
// checkpoint only copies committed pages into the database file and
// syncs it before the WAL may be overwritten.

// Defaults of Options' checkpoint settings.
const (
	DefaultCheckpointInterval    = time.Second
	DefaultMaxWALFrames          = 8192 // 32 MiB of 4 KiB pages
	DefaultCheckpointBusyTimeout = 100 * time.Millisecond
	// catchUpPasses is how many PASSIVE passes follow one that left
	// frames behind, catchUpPause apart.
	catchUpPasses = 4
	catchUpPause  = 5 * time.Millisecond
	// restartBackoff is how long no RESTART is tried after one that
	// gave up on a reader.
	restartBackoff = 30 * time.Second
)

// Options tune OpenWith; the zero value is Open.
type Options struct {
	// BackgroundCheckpoints moves WAL checkpoints off the writer's commits
	// into a goroutine of the DB (see above).
	BackgroundCheckpoints bool
	// CheckpointInterval is the time between PASSIVE checkpoints
	// (default DefaultCheckpointInterval).
	CheckpointInterval time.Duration
	// MaxWALFrames is the WAL size, in frames, from which a RESTART
	// checkpoint is run (default DefaultMaxWALFrames).
	MaxWALFrames int
	// OnCheckpoint, when set, is told of every checkpoint the goroutine
	// ran: its mode, the WAL's frames and those copied as SQLite answers
	// them, how long it took and its error. It runs on the goroutine.
	OnCheckpoint func(Checkpoint)
}

// Checkpoint is the outcome of one background checkpoint.
type Checkpoint struct {
	Mode string // PASSIVE or RESTART
	// Busy is SQLite's answer that the checkpoint could not finish (a
	// RESTART that did not get the locks within the busy timeout).
	Busy bool
	// Frames is the WAL's size in frames, Copied how many of them are in
	// the database file (-1 each when the database is not in WAL mode).
	Frames, Copied int
	Took           time.Duration
	Err            error
}

// walCheckpointer is the goroutine and its connection.
type walCheckpointer struct {
	conn     *sql.DB
	interval time.Duration
	max      int
	observe  func(Checkpoint)
	stop     chan struct{}
	done     chan struct{}
	once     sync.Once
	// noRestartUntil holds RESTARTs off after one that gave up on a
	// reader (run's goroutine only).
	noRestartUntil time.Time
}

func startCheckpointer(ctx context.Context, path string, sync Sync, o Options) (*walCheckpointer, error) {
	conn, err := sql.Open("sqlite", dsn(path, sync, false))
	if err != nil {
		return nil, fmt.Errorf("db: checkpoints of %s: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	// The checkpoint connection writes nothing; its busy timeout only
	// bounds how long a RESTART may keep appends waiting.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", DefaultCheckpointBusyTimeout.Milliseconds())); err != nil {
		_ = conn.Close() // the pragma's error is the one to report
		return nil, fmt.Errorf("db: checkpoints of %s: %w", path, err)
	}
	c := &walCheckpointer{conn: conn, interval: o.CheckpointInterval, max: o.MaxWALFrames, observe: o.OnCheckpoint,
		stop: make(chan struct{}), done: make(chan struct{})}
	if c.interval <= 0 {
		c.interval = DefaultCheckpointInterval
	}
	if c.max <= 0 {
		c.max = DefaultMaxWALFrames
	}
	go c.run()
	return c, nil
}

func (c *walCheckpointer) run() {
	defer close(c.done)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		c.round()
	}
}

// round is one PASSIVE checkpoint, its catch-up passes, and a RESTART
// when the WAL stays too large.
func (c *walCheckpointer) round() {
	cp := c.checkpoint("PASSIVE")
	for i := 0; i < catchUpPasses && cp.Err == nil && cp.Copied < cp.Frames; i++ {
		select {
		case <-c.stop:
			return
		case <-time.After(catchUpPause):
		}
		cp = c.checkpoint("PASSIVE")
	}
	if cp.Err == nil && cp.Copied < cp.Frames && cp.Frames >= c.max && !time.Now().Before(c.noRestartUntil) {
		// A RESTART that gave up waited its whole busy timeout
		// holding the write lock: a long reader (an export) would make
		// every round do that to the appends, so wait before the next.
		if r := c.checkpoint("RESTART"); r.Busy {
			c.noRestartUntil = time.Now().Add(restartBackoff)
		}
	}
}

func (c *walCheckpointer) checkpoint(mode string) Checkpoint {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cp := Checkpoint{Mode: mode}
	start := time.Now()
	var busy int
	cp.Err = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &cp.Frames, &cp.Copied)
	cp.Took, cp.Busy = time.Since(start), busy != 0
	if c.observe != nil {
		c.observe(cp)
	}
	return cp
}

// close stops the goroutine and closes its connection.
func (c *walCheckpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}

// checkNoAutoCheckpoint reads wal_autocheckpoint back from the writer.
func checkNoAutoCheckpoint(ctx context.Context, w *sql.DB, path string) error {
	var n int
	if err := w.QueryRowContext(ctx, "PRAGMA wal_autocheckpoint").Scan(&n); err != nil {
		return fmt.Errorf("db: %s: %w", path, err)
	}
	if n != 0 {
		return errors.New("db: " + path + ": wal_autocheckpoint not turned off on the writer")
	}
	return nil
}
