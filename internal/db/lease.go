package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Exclusive runs job while this instance holds the lease called name, so
// that a background job (a queue's worker, a refresh, a delivery loop)
// runs on one instance of a fleet at a time and resumes on another when
// that one stops or dies. On SQLite there is one instance: job runs at
// once. On PostgreSQL the lease is a session-level advisory lock
// (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS)
// taken on a connection of its own: the server releases it when that
// connection ends, so a killed instance's jobs are free again as soon as
// its connection is gone. An instance without the lease tries again
// every retry; one that loses its connection cancels the job's context.
// A new holder waits leaseGrace before it starts, so that an instance cut
// off from the server (not dead) has stopped its job by then. The lease
// keeps a job to one instance; the jobs' own rows, claimed in write
// transactions, keep each item done once whatever the lease does.
// Exclusive returns when ctx ends.
func (d *DB) Exclusive(ctx context.Context, name string, retry time.Duration, job func(context.Context)) {
	if d.leases == nil {
		job(ctx)
		return
	}
	for ctx.Err() == nil {
		lost, err := d.leases.acquire(ctx, name)
		if err == nil {
			jctx, cancel := context.WithCancel(ctx)
			select {
			case <-jctx.Done():
			case <-lost:
			case <-time.After(leaseGrace):
			}
			go func() {
				select {
				case <-lost:
					cancel()
				case <-jctx.Done():
				}
			}()
			if jctx.Err() == nil && !closed(lost) {
				job(jctx)
			}
			cancel()
			d.leases.release(name)
		}
		select {
		case <-ctx.Done():
		case <-time.After(retry):
		}
	}
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// errLeaseHeld: another instance holds the lease.
var errLeaseHeld = errors.New("db: lease held by another instance")

// leases holds the advisory locks of one instance on one connection.
type leases struct {
	cfg  *pgx.ConnConfig
	mu   sync.Mutex
	conn *pgx.Conn
	lost chan struct{} // closed when conn failed: every lease on it is gone
	held map[string]bool
	done chan struct{} // closed by close: the watcher ends
}

// leaseCheckEvery is how often the lease connection is checked: a lease
// lost with a failed connection is noticed within this time.
const leaseCheckEvery = 2 * time.Second

// leaseGrace is how long a new holder waits: longer than a former
// holder's check and its ping's timeout together.
const leaseGrace = 2*leaseCheckEvery + time.Second

func newLeases(cfg *pgx.ConnConfig) *leases {
	l := &leases{cfg: cfg, held: map[string]bool{}, done: make(chan struct{})}
	go l.watch()
	return l
}

// acquire takes the lease or answers errLeaseHeld; lost is closed when
// the connection holding it fails.
func (l *leases) acquire(ctx context.Context, name string) (lost <-chan struct{}, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		c, err := pgx.ConnectConfig(ctx, l.cfg)
		if err != nil {
			return nil, fmt.Errorf("db: lease connection: %w", err)
		}
		l.conn, l.lost = c, make(chan struct{})
	}
	if l.held[name] {
		return nil, errLeaseHeld
	}
	var ok bool
	// The key names the schema too: deployments sharing a server in
	// schemas of their own do not share leases.
	if err := l.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended(current_schema() || ' lease ' || $1, 0))`, name).Scan(&ok); err != nil {
		l.dropLocked()
		return nil, fmt.Errorf("db: lease %s: %w", name, err)
	}
	if !ok {
		return nil, errLeaseHeld
	}
	l.held[name] = true
	return l.lost, nil
}

// release gives the lease back (a failed unlock means the connection is
// gone, and the lease with it).
func (l *leases) release(name string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.held[name] || l.conn == nil {
		return
	}
	delete(l.held, name)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended(current_schema() || ' lease ' || $1, 0))`, name); err != nil {
		l.dropLocked()
	}
}

// watch checks the connection every leaseCheckEvery while leases are held.
func (l *leases) watch() {
	t := time.NewTicker(leaseCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-l.done:
			return
		case <-t.C:
		}
		l.mu.Lock()
		if l.conn != nil {
			ctx, cancel := context.WithTimeout(context.Background(), leaseCheckEvery)
			if err := l.conn.Ping(ctx); err != nil {
				l.dropLocked()
			}
			cancel()
		}
		l.mu.Unlock()
	}
}

// dropLocked forgets a failed connection and tells its jobs. The caller
// holds mu.
func (l *leases) dropLocked() {
	_ = l.conn.Close(context.Background()) // already failed, or giving up on it
	l.conn = nil
	close(l.lost)
	l.held = map[string]bool{}
}

func (l *leases) close() {
	close(l.done)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		l.dropLocked()
	}
}

// leasesHeldSQL names those of the lease names ($1) whose advisory lock a
// session other than this one holds in this database and schema. A
// bigint advisory key shows in pg_locks split in two: classid its high 32
// bits, objid its low 32, objsubid 1.
const leasesHeldSQL = `SELECT n FROM unnest(?::text[]) AS n,
	LATERAL (SELECT hashtextextended(current_schema() || ' lease ' || n, 0) AS k) key
WHERE EXISTS (
	SELECT 1 FROM pg_locks l
	WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
	  AND l.pid <> pg_backend_pid()
	  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
	  AND l.classid::bigint = (key.k >> 32) & 4294967295
	  AND l.objid::bigint = key.k & 4294967295)
ORDER BY n`

// LeasesHeld returns which of the named leases another session holds: an
// instance of the fleet is running (each runs its workers under leases,
// and while any runs some instance holds each lease it tries). On SQLite
// there are no leases: none.
func (d *DB) LeasesHeld(ctx context.Context, names []string) ([]string, error) {
	if !d.Postgres {
		return nil, nil
	}
	rows, err := d.R.QueryContext(ctx, leasesHeldSQL, names)
	if err != nil {
		return nil, fmt.Errorf("db: leases held: %w", err)
	}
	defer rows.Close()
	var held []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("db: leases held: %w", err)
		}
		held = append(held, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("db: leases held: %w", err)
	}
	return held, nil
}
