package db_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// leaseJob counts how many instances run it at once and which ran it.
type leaseJob struct {
	running, most atomic.Int32
	mu            sync.Mutex
	ranBy         []string
}

func (j *leaseJob) run(instance string) func(context.Context) {
	return func(ctx context.Context) {
		n := j.running.Add(1)
		defer j.running.Add(-1)
		for m := j.most.Load(); n > m && !j.most.CompareAndSwap(m, n); m = j.most.Load() {
		}
		j.mu.Lock()
		j.ranBy = append(j.ranBy, instance)
		j.mu.Unlock()
		<-ctx.Done()
	}
}

func (j *leaseJob) last() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.ranBy) == 0 {
		return ""
	}
	return j.ranBy[len(j.ranBy)-1]
}

// waitFor polls cond within a liveness bound.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 30 s: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestExclusiveJobRunsOnOneInstanceAndMovesWhenItDies: two instances on
// one PostgreSQL database run the same background job under one lease:
// it runs on one of them only; when that instance's connection to the
// server is cut (as when its process is killed), the job there is
// stopped and the other instance takes it over.
func TestExclusiveJobRunsOnOneInstanceAndMovesWhenItDies(t *testing.T) {
	t.Parallel()
	b := dbtest.Postgres(t)
	one, two := b.Open(t), b.Open(t)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	// A deployment in another schema on the same server holds a lease of
	// the same name first: it is not this fleet's, and nothing below may
	// touch it.
	var neighbour leaseJob
	wg.Go(func() {
		dbtest.Postgres(t).Open(t).Exclusive(ctx, "outbox", 50*time.Millisecond, neighbour.run("neighbour"))
	})
	waitFor(t, "the neighbour runs its job", func() bool { return neighbour.last() == "neighbour" })
	var job leaseJob
	wg.Go(func() { one.Exclusive(ctx, "outbox", 50*time.Millisecond, job.run("one")) })
	waitFor(t, "instance one runs the job", func() bool { return job.last() == "one" })
	wg.Go(func() { two.Exclusive(ctx, "outbox", 50*time.Millisecond, job.run("two")) })
	time.Sleep(500 * time.Millisecond) // ten of two's tries
	if got := job.last(); got != "one" || job.most.Load() != 1 {
		t.Fatalf("after instance two tried: last ran by %q, at most %d at once; want one, 1", got, job.most.Load())
	}

	// Instance one's lease connection dies. Its lock is found by its key
	// (a bigint advisory key is split over classid, high half, and objid,
	// low half, with objsubid 1): other tests on the same server hold
	// advisory locks of their own, which must not be the ones cut.
	var killed bool
	if err := two.R.QueryRowContext(ctx, `SELECT pg_terminate_backend(l.pid)
		FROM pg_locks l, (SELECT hashtextextended(current_schema() || ' lease ' || 'outbox', 0) AS k) key
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND l.classid::bigint = (key.k >> 32) & 4294967295
		  AND l.objid::bigint = key.k & 4294967295`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating instance one's lease connection: %v (%v)", err, killed)
	}
	waitFor(t, "instance two takes the job over", func() bool { return job.last() == "two" })
	if m := job.most.Load(); m != 1 {
		t.Fatalf("the job ran on %d instances at once", m)
	}
	if n := len(neighbour.ranBy); n != 1 || neighbour.running.Load() != 1 {
		t.Fatalf("the neighbour's job was started %d times and runs %d times; want once, still running", n, neighbour.running.Load())
	}
}

// TestExclusiveOnSQLiteRunsAtOnce: one instance, no lease to wait for.
func TestExclusiveOnSQLiteRunsAtOnce(t *testing.T) {
	d := dbtest.SQLite(t).Open(t)
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan struct{})
	go func() {
		<-ran
		cancel()
	}()
	d.Exclusive(ctx, "outbox", time.Hour, func(context.Context) { close(ran) })
}

// TestLeasesHeldNamesTheFleetsRunningLeases: LeasesHeld sees the leases
// an instance of this fleet holds (found by the key acquire locks), not
// those it does not, nor a lease of the same name of a deployment in
// another schema on the same server; once the instance stops, none.
func TestLeasesHeldNamesTheFleetsRunningLeases(t *testing.T) {
	t.Parallel()
	b := dbtest.Postgres(t)
	one, admin := b.Open(t), b.Open(t)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	names := []string{"intake", "outbox", "bulk"}

	var neighbour leaseJob
	wg.Go(func() {
		dbtest.Postgres(t).Open(t).Exclusive(ctx, "outbox", 50*time.Millisecond, neighbour.run("neighbour"))
	})
	waitFor(t, "the neighbour runs its job", func() bool { return neighbour.last() == "neighbour" })
	if held, err := admin.LeasesHeld(ctx, names); err != nil || len(held) != 0 {
		t.Fatalf("with only another schema's lease held: %v %v", held, err)
	}

	octx, stop := context.WithCancel(ctx)
	var job leaseJob
	done := make(chan struct{})
	go func() { defer close(done); one.Exclusive(octx, "intake", 50*time.Millisecond, job.run("one")) }()
	waitFor(t, "instance one holds its lease", func() bool {
		held, err := admin.LeasesHeld(ctx, names)
		return err == nil && len(held) == 1 && held[0] == "intake"
	})
	stop()
	<-done
	if held, err := admin.LeasesHeld(ctx, names); err != nil || len(held) != 0 {
		t.Fatalf("after instance one stopped: %v %v", held, err)
	}
}
