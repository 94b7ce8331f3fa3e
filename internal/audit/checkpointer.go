package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Defaults of CheckpointConfig.
const (
	DefaultCheckpointEvery    = 100
	DefaultCheckpointInterval = time.Hour
)

// CheckpointConfig turns on signed checkpoints for a Log.
type CheckpointConfig struct {
	Key SigningKey
	// File is the append-only checkpoint file (default: audit.checkpoints
	// beside audit.db). On PostgreSQL the checkpoints are the fleet's
	// table instead (checkpoint_store.go) and File is not used.
	File string
	// Every is how many new events trigger a checkpoint (default 100).
	Every int64
	// Interval is the longest time between checkpoints, written even when
	// nothing was appended, so a gap in the file shows the admin was down
	// (default one hour).
	Interval time.Duration
	// Logger receives every checkpoint (the copy outside the file) and
	// write failures (default slog.Default()).
	Logger *slog.Logger
}

// CheckpointStatus is what the audit page shows about checkpoints.
type CheckpointStatus struct {
	Enabled     bool
	File        string
	VerifierKey string
	Last        Checkpoint // zero when none written yet
	LastErr     string     // the last write failure, "" after a success
}

type checkpointer struct {
	l        *Log
	cfg      CheckpointConfig
	store    CheckpointStore
	verifier note.Verifier
	stop     chan struct{}
	done     chan struct{}

	mu      sync.Mutex
	last    Checkpoint
	lastMsg []byte // the signed note of last
	lastErr error
	// fleetLast is the newest checkpoint of the fleet's table this
	// instance knows of, signed by it or another instance (zero on
	// SQLite): what a commit's seq is compared with.
	fleetLast Checkpoint
	publish   []func(Checkpoint, []byte)
}

// StartCheckpoints starts signing checkpoints for the log until Close.
// It first checks the log against the newest checkpoint of the file and
// returns a *MismatchError, signing nothing, when the log has events but
// the file no checkpoint of the key, or when the log is shorter than or
// departs from that checkpoint (tail.go). Then it signs
// one now if the file has none yet or events were appended since its last
// checkpoint (by this process, or by an admin command meanwhile), then whenever Every
// more events are committed, at least every Interval, and a last one on
// Close.
func (l *Log) StartCheckpoints(cfg CheckpointConfig) error {
	if cfg.Key.Signer == nil {
		return errors.New("audit: checkpoints need a signing key")
	}
	store := l.CheckpointStore(cfg.File)
	cfg.File = store.String()
	if cfg.Every <= 0 {
		cfg.Every = DefaultCheckpointEvery
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultCheckpointInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	v, err := note.NewVerifier(cfg.Key.VerifierKey)
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	// Nothing is signed on top of a log that does not match what was
	// signed before (tail.go). The newest checkpoint is read before the
	// head: on PostgreSQL other instances append and sign meanwhile, and
	// the head read after it reaches at least its count.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	last, err := lastCheckpointOf(ctx, store, v)
	if err != nil {
		return err
	}
	n, _, err := head(ctx, l.db.R)
	if err != nil {
		return err
	}
	if err := checkTail(ctx, l.db.R, n, last, store); err != nil {
		return err
	}
	c := &checkpointer{l: l, cfg: cfg, store: store, verifier: v, stop: make(chan struct{}), done: make(chan struct{}), last: last}
	if shared(store) {
		c.fleetLast = last
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if l.cp != nil {
		return errors.New("audit: checkpoints already started")
	}
	l.cp = c
	// Cover whatever is not covered yet; the very first checkpoint is
	// written even for an empty log, so that the file starts with the
	// log's beginning and a log replaced later is caught, and one follows
	// every stopped checkpoint, so that the newest checkpoint says whether
	// the back office is stopped (checkpoint.go).
	c.checkpoint(last.Time.IsZero() || last.Stopped || n > last.Count, 1, false)
	go c.run()
	return nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(c.cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-c.l.committed:
			c.checkpoint(false, c.cfg.Every, false)
		case <-t.C:
			c.checkpoint(true, 0, false)
		case <-c.stop:
			c.checkpoint(true, 0, true)
			return
		}
	}
}

// checkpoint signs and writes one when the log has grown by at least
// minNew events since the last one, or always when force is set; stopped
// marks the one signed as the log closes.
func (c *checkpointer) checkpoint(force bool, minNew int64, stopped bool) {
	// Due after a commit is decided by that commit's seq, without a
	// query, and signed at it: the check after every commit keeps pace
	// with the appends, and a checkpoint falls where it became due even
	// when appends went on meanwhile (on PostgreSQL a query waits for
	// the server while the other instances append). Forced ones cover
	// the head.
	committed := c.l.lastSeq.Load()
	if !force && committed-c.lastCount() < minNew {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if shared(c.store) {
		c.checkpointShared(ctx, force, minNew, committed)
		return
	}
	var n int64
	var h string
	var err error
	if force {
		// The head may hold outcomes committed but not yet synced
		// (AppendDeferred): nothing unsynced is signed.
		if err = c.l.syncWAL(); err == nil {
			n, h, err = head(ctx, c.l.db.R)
		}
	} else {
		n = committed
		h, err = hashAt(ctx, c.l.db.R, n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && !force && n-c.last.Count < minNew {
		return
	}
	var cp Checkpoint
	var msg []byte
	if err == nil {
		cp = Checkpoint{Count: n, Head: h, Time: c.l.now().UTC(), Stopped: stopped}
		cp.Root, err = c.l.rootOf(ctx, n)
	}
	if err == nil {
		msg, err = SignCheckpoint(c.cfg.Key.Signer, cp)
	}
	if err == nil {
		err = c.store.Append(ctx, msg)
	}
	if err != nil {
		c.lastErr = err
		c.cfg.Logger.Error("audit checkpoint not written", slog.Any("err", err))
		return
	}
	c.signed(cp, msg)
}

// signed records, publishes and logs the checkpoint this instance just
// stored; c.mu is held.
func (c *checkpointer) signed(cp Checkpoint, msg []byte) {
	c.last, c.lastMsg, c.lastErr = cp, msg, nil
	for _, p := range c.publish {
		p(cp, msg)
	}
	c.cfg.Logger.Info("audit checkpoint", slog.Int64("count", cp.Count), slog.String("head", cp.Head),
		slog.String("note", string(msg)))
}

// lastCount is the count of the last checkpoint written (by this
// instance, or on PostgreSQL the newest of the fleet it knows of).
func (c *checkpointer) lastCount() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return max(c.last.Count, c.fleetLast.Count)
}

func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
}

// CheckpointStatus reports whether checkpoints are on and the latest one.
func (l *Log) CheckpointStatus() CheckpointStatus {
	l.mu.RLock()
	c := l.cp
	l.mu.RUnlock()
	if c == nil {
		return CheckpointStatus{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := CheckpointStatus{Enabled: true, File: c.cfg.File, VerifierKey: c.cfg.Key.VerifierKey, Last: c.last}
	if c.fleetLast.Count > c.last.Count {
		s.Last = c.fleetLast // another instance of the fleet signed since
	}
	if c.lastErr != nil {
		s.LastErr = c.lastErr.Error()
	}
	return s
}

// PublishCheckpoints hands every checkpoint signed from now on, and the
// latest one at once, to publish (the outbox, a witness: copies outside
// the data folder); each call adds one. It is called with the checkpointer's lock held, from the
// goroutine that signs: publish must only record, never wait on delivery.
func (l *Log) PublishCheckpoints(publish func(Checkpoint, []byte)) {
	l.mu.RLock()
	c := l.cp
	l.mu.RUnlock()
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.publish = append(c.publish, publish)
	if c.lastMsg != nil {
		publish(c.last, c.lastMsg)
	}
}
