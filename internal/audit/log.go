package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"ordercare/internal/db"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit: log is closed")

// DefaultMaxBatch is how many waiting events one commit takes at most.
const DefaultMaxBatch = 256

// Options tune a Log; the zero value is the production setting.
type Options struct {
	// Now is the clock for events appended without a time (nil = time.Now).
	Now func() time.Time
	// MaxBatch caps the events per commit (0 = DefaultMaxBatch).
	MaxBatch int
	// Instance names the instance whose events these are
	// (ORDERCARE_INSTANCE); every event appended records it.
	Instance string
	// DatabaseURL, when set (ORDERCARE_DATABASE_URL), puts the log's
	// events on that PostgreSQL database, shared by every instance: their
	// appends take one advisory lock (db.OpenPostgres, writer "audit"),
	// so they form one chain. The search index is there too
	// (index_postgres.go); the path given to OpenWith then names the
	// folder of this instance's checkpoint file.
	DatabaseURL string
}

// Log is the audit log. Appends from any number of goroutines are handed to
// one writer goroutine that commits whatever is waiting in one transaction
// (group commit): with synchronous=FULL each commit costs an fsync, so one
// fsync per batch instead of per event keeps 50 agents from queueing behind
// the disk.
type Log struct {
	db       *db.DB
	path     string // audit.db, or where it would be on PostgreSQL
	now      func() time.Time
	maxBatch int
	instance string

	mu     sync.RWMutex // guards closed against sends on reqs
	closed bool
	reqs   chan *appendReq
	done   chan struct{}
	// idx is the search index's file (index.go), kept by the indexer
	// goroutine: appended wakes it after every commit, indexNow carries
	// readers' requests to bring it up to date (SyncIndex), stopIndex
	// ends it and indexDone says it has ended.
	idx       *db.DB
	appended  chan struct{}
	indexNow  chan chan error
	stopIndex chan struct{}
	indexDone chan struct{}
	// indexChecked is set once the indexer found the index to be this
	// log's (index.go, SyncIndex).
	indexChecked atomic.Bool

	commits atomic.Int64
	events  atomic.Int64
	// lastSeq is the seq of the last event this Log committed and synced:
	// the log's head as of that sync, which the checkpointer compares
	// with its last checkpoint after every sync without a query.
	lastSeq atomic.Int64
	// syncs carries each commit to the syncer (durable.go), which
	// closes syncDone when it has synced the last one.
	syncs    chan synced
	syncDone chan struct{}
	// syncing is set while the syncer syncs; syncEnded is signalled
	// (without blocking) after each sync (durable.go, whileSyncing).
	syncing   atomic.Bool
	syncEnded chan struct{}
	// syncErr is the first failed sync's error: from then on every
	// commit is refused (durable.go, syncFailure).
	syncErr atomic.Pointer[error]
	// testSync, when a test sets it before the first append, stands in
	// for syncing the WAL.
	testSync func() error
	// observer, when set, is told of every append and commit (observe.go).
	observer atomic.Pointer[observerBox]

	// insert is the prepared INSERT of an event, kept across commits: a
	// statement prepared per commit recompiled the triggers it fires (the
	// search index's and the full-text index's) every time.
	insert *sql.Stmt
	// lastStmt reads the chain head at the start of every commit (headSQL),
	// prepared once for the same reason.
	lastStmt *sql.Stmt

	// committed is signalled (without blocking) after every commit is
	// synced, for the checkpointer.
	committed chan struct{}
	cp        *checkpointer // nil until StartCheckpoints; guarded by mu

	// bg runs background work (verifications) that Close cancels and
	// waits for before closing the database.
	bgCtx    context.Context
	bgCancel context.CancelFunc
	bg       sync.WaitGroup
	verify   verifyState
}

type appendReq struct {
	r row
	// deferred: answered once committed, before the commit is synced
	// (AppendDeferred).
	deferred bool
	resp     chan appendResp
}

type appendResp struct {
	r   row
	err error
}

// Open opens (creating it when missing) the audit database at path with
// synchronous=FULL and starts its writer.
func Open(ctx context.Context, path string) (*Log, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Log, error) {
	// The WAL checkpoints run behind the writer and are reported to the
	// Log's observer, which exists only once the Log does.
	var self atomic.Pointer[Log]
	d, err := openEvents(ctx, path, opts.DatabaseURL, func(cp db.Checkpoint) {
		if l := self.Load(); l != nil {
			l.observeWALCheckpoint(cp)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if err := d.MigrateDialects(ctx, "audit", migrations, pgMigrations); err != nil {
		_ = d.Close() // the migration error is the one to report
		return nil, fmt.Errorf("audit: %w", err)
	}
	var idx *db.DB
	if opts.DatabaseURL != "" {
		idx, err = openPGIndex(ctx, opts.DatabaseURL)
	} else {
		idx, err = openIndex(ctx, path)
	}
	if err != nil {
		_ = d.Close() // the index's error is the one to report
		return nil, fmt.Errorf("audit: search index: %w", err)
	}
	l := newLog(d, idx, path, opts)
	if l.insert, err = d.W.PrepareContext(ctx, insertSQL); err == nil {
		l.lastStmt, err = d.W.PrepareContext(ctx, headSQL)
	}
	if err != nil {
		l.bgCancel()
		_ = errors.Join(idx.Close(), d.Close())
		return nil, fmt.Errorf("audit: prepare: %w", err)
	}
	self.Store(l)
	go l.writer()
	go l.syncer()
	go l.runIndexer(l.stopIndex)
	return l, nil
}

// newLog is a Log on the events' database d and the index idx, with
// its channels, before its statements are prepared and its goroutines run.
func newLog(d, idx *db.DB, path string, opts Options) *Log {
	l := &Log{
		db:        d,
		path:      path,
		idx:       idx,
		now:       opts.Now,
		maxBatch:  opts.MaxBatch,
		instance:  opts.Instance,
		reqs:      make(chan *appendReq, 1024),
		appended:  make(chan struct{}, 1),
		indexNow:  make(chan chan error),
		stopIndex: make(chan struct{}),
		indexDone: make(chan struct{}),
		done:      make(chan struct{}),
		committed: make(chan struct{}, 1),
		syncs:     make(chan synced, 1024),
		syncDone:  make(chan struct{}),
		syncEnded: make(chan struct{}, 1),
	}
	l.bgCtx, l.bgCancel = context.WithCancel(context.Background())
	if l.now == nil {
		l.now = time.Now
	}
	if l.maxBatch <= 0 {
		l.maxBatch = DefaultMaxBatch
	}
	return l
}

// Close stops accepting events, commits those already handed over, writes
// a last checkpoint when checkpoints are on, stops a running verification,
// and closes the database.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.reqs)
	cp := l.cp
	l.mu.Unlock()
	<-l.done
	<-l.syncDone
	close(l.stopIndex)
	<-l.indexDone
	if cp != nil {
		cp.close()
	}
	l.bgCancel()
	l.bg.Wait()
	_ = errors.Join(l.insert.Close(), l.lastStmt.Close()) // closing the database releases them anyway
	return errors.Join(l.idx.Close(), l.db.Close())
}

// defaultCheckpointFile is audit.checkpoints beside the database.
func (l *Log) defaultCheckpointFile() string {
	return filepath.Join(filepath.Dir(l.path), CheckpointsFileName)
}

// openEvents opens the database of the events: the SQLite file at path
// with synchronous=FULL, or the PostgreSQL database at url with the
// audit log's own writer lock, so that appends wait for no admin table.
//
// On SQLite the WAL checkpoints run on a connection and goroutine of
// their own (db.Options.BackgroundCheckpoints), each reported to
// onCheckpoint: the automatic checkpoint ran inside the group commit
// that crossed 1,000 WAL pages, so every append waiting on that commit
// waited for the copy into audit.db and its fsync as well (the own time's
// tail, PERFORMANCE.md). Each commit is as durable as before: it is
// synced in the WAL, which recovery replays.
func openEvents(ctx context.Context, path, url string, onCheckpoint func(db.Checkpoint)) (*db.DB, error) {
	if url != "" {
		return db.OpenPostgres(ctx, url, "audit")
	}
	return db.OpenWith(ctx, path, db.SyncFull, db.Options{BackgroundCheckpoints: true, OnCheckpoint: onCheckpoint})
}

// Append records an event and returns it as stored (seq, time, hashes).
// When it returns without error the event is committed and on disk, as
// with synchronous=FULL. Once the event is handed to the writer Append
// waits for the commit even if ctx ends, so that a caller never mistakes a
// committed event for a lost one. If the commit fails, every event of that
// batch gets the error and none is stored (fail closed).
func (l *Log) Append(ctx context.Context, e Event) (Event, error) {
	return l.append(ctx, e, false)
}

// AppendDeferred is Append for an event that must be seen at once but need
// not wait for the disk: when it returns the event is committed (every
// reader sees it, and it survives the process being killed), and it is
// synced with the next Append or within DeferredSyncWithin, whichever
// comes first. Only a power loss or an operating system crash in between
// can lose it, and then with every later event: the log stays a chain.
//
// The pipeline records a change's outcome so: its request was appended
// (and synced) before the change was sent, and an attempt whose outcome
// is missing is shown as unknown and stops the order's next money change
// until it is checked against the provider. Signed checkpoints only cover
// synced events.
func (l *Log) AppendDeferred(ctx context.Context, e Event) (Event, error) {
	return l.append(ctx, e, true)
}

func (l *Log) append(ctx context.Context, e Event, deferred bool) (Event, error) {
	if e.Kind == "" {
		return Event{}, errors.New("audit: event without kind")
	}
	if e.Kind.needsAttempt() && e.AttemptID == "" {
		return Event{}, fmt.Errorf("audit: %s event without attempt id", e.Kind)
	}
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	r, err := encodeRow(e)
	if err != nil {
		return Event{}, err
	}
	r.Instance = l.instance
	req := &appendReq{r: r, deferred: deferred, resp: make(chan appendResp, 1)}
	start := time.Now()
	if err := l.enqueue(ctx, req); err != nil {
		return Event{}, err
	}
	resp := <-req.resp
	l.observeAppend(start, resp.err)
	if resp.err != nil {
		return Event{}, resp.err
	}
	return storedEvent(e, resp.r)
}

func (l *Log) enqueue(ctx context.Context, req *appendReq) error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return ErrClosed
	}
	select {
	case l.reqs <- req:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("audit: %w", ctx.Err())
	}
}

// writer is the only goroutine that writes events. After each commit it
// wakes the indexer (index.go), which keeps the search index on its own,
// and answers the batch's appends: at once those that need not wait for
// the disk (AppendDeferred), the others once the syncer has synced the
// commit (durable.go).
func (l *Log) writer() {
	defer close(l.done)
	defer close(l.syncs)
	last := 0 // events in the last commit
	for first := range l.reqs {
		if last > 1 {
			// Others are appending: let the callers just answered (they
			// wait on this P's run queue) hand in their next events
			// before the batch is gathered, as PostgreSQL's commit_delay
			// does when commit_siblings are active. A lone writer never
			// waits. Batches at 10 writers grew from 4.7 to 7.5 events
			// and at 50 from 21 to 29 (BenchmarkAppend).
			runtime.Gosched()
		}
		batch := l.whileSyncing(l.gather([]*appendReq{first}))
		last = len(batch)
		start := time.Now()
		seq, onDisk, err := l.commit(batch)
		l.observeCommit(len(batch), start, err)
		if err != nil {
			for _, r := range batch {
				r.resp <- appendResp{r: r.r, err: err}
			}
			continue
		}
		l.answer(batch, seq, onDisk)
		select {
		case l.appended <- struct{}{}:
		default: // a signal is already waiting
		}
	}
}

// gather adds the requests already waiting to batch, up to maxBatch.
func (l *Log) gather(batch []*appendReq) []*appendReq {
	for len(batch) < l.maxBatch {
		select {
		case r, ok := <-l.reqs:
			if !ok {
				return batch
			}
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit writes a batch in one immediate transaction: it reads the chain
// head inside the transaction (another process, e.g. an `admin` subcommand,
// may have appended since), chains the events in order and commits. It
// returns the batch's last seq, and whether the commit itself waited for
// the disk: on SQLite it never does (the syncer syncs it, durable.go); on
// PostgreSQL it does unless every event of the batch may wait.
func (l *Log) commit(batch []*appendReq) (int64, bool, error) {
	// Not the caller's context: a commit serves many callers, and an
	// abandoned half-written batch would only roll back anyway.
	if err := l.syncFailure(); err != nil {
		return 0, false, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var seq int64
	write := func(tx *sql.Tx) error {
		var prev string
		var err error
		if seq, prev, err = scanHead(tx.StmtContext(ctx, l.lastStmt).QueryRowContext(ctx)); err != nil {
			return err
		}
		for _, req := range batch {
			seq++
			req.r.Seq = seq
			req.r.PrevHash = prev
			req.r.Hash = req.r.computeHash()
			prev = req.r.Hash
		}
		if l.db.Postgres {
			return insertBatch(ctx, tx, batch)
		}
		return l.insertEach(ctx, tx, batch)
	}
	onDisk := l.db.Postgres && !allDeferred(batch)
	var err error
	if onDisk {
		err = l.commitSynced(ctx, write)
	} else {
		err = l.db.TxUnsynced(ctx, write)
	}
	if err != nil {
		return 0, false, fmt.Errorf("audit: commit: %w", err)
	}
	l.commits.Add(1)
	l.events.Add(int64(len(batch)))
	return seq, onDisk, nil
}

// commitSynced runs write in a transaction whose commit waits for the disk.
func (l *Log) commitSynced(ctx context.Context, write func(*sql.Tx) error) error {
	tx, err := l.db.W.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after commit
	if err := write(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// insertEach inserts the chained events of a batch one by one through
// the prepared insert: in SQLite's process a statement costs no round
// trip.
func (l *Log) insertEach(ctx context.Context, tx *sql.Tx, batch []*appendReq) error {
	stmt := tx.StmtContext(ctx, l.insert)
	defer stmt.Close()
	// The inserts run without the deadline: the driver watches a context
	// that can end with a goroutine per statement, one per event here,
	// and an insert into pages the transaction already holds has nothing
	// to wait for (Begin and Commit keep the deadline).
	insertCtx := context.WithoutCancel(ctx)
	for _, req := range batch {
		if _, err := stmt.ExecContext(insertCtx, req.r.args()...); err != nil {
			return fmt.Errorf("audit: append event %d: %w", req.r.Seq, err)
		}
	}
	return nil
}

// headSQL reads the last event's seq and hash.
const headSQL = `SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1`

// head returns the last seq and hash (0 and GenesisHash for an empty log).
func head(ctx context.Context, d *sql.DB) (int64, string, error) {
	return scanHead(d.QueryRowContext(ctx, headSQL))
}

// scanHead reads the answer of headSQL.
func scanHead(q *sql.Row) (int64, string, error) {
	var seq int64
	var hash string
	err := q.Scan(&seq, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, GenesisHash, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("audit: chain head: %w", err)
	}
	return seq, hash, nil
}

// Head returns the number of events (the last seq) and the chain head hash,
// what a signed checkpoint covers.
func (l *Log) Head(ctx context.Context) (int64, string, error) {
	return head(ctx, l.db.R)
}

// Stats counts commits and events written by this Log since it opened.
type Stats struct{ Commits, Events int64 }

// Stats returns the group-commit counters (events per commit = Events/Commits).
func (l *Log) Stats() Stats {
	return Stats{Commits: l.commits.Load(), Events: l.events.Load()}
}
