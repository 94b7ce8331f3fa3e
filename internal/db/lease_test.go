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
	var job leaseJob
	wg.Go(func() { one.Exclusive(ctx, "outbox", 50*time.Millisecond, job.run("one")) })
	waitFor(t, "instance one runs the job", func() bool { return job.last() == "one" })
	wg.Go(func() { two.Exclusive(ctx, "outbox", 50*time.Millisecond, job.run("two")) })
	time.Sleep(500 * time.Millisecond) // ten of two's tries
	if got := job.last(); got != "one" || job.most.Load() != 1 {
		t.Fatalf("after instance two tried: last ran by %q, at most %d at once; want one, 1", got, job.most.Load())
	}

	// Instance one's lease connection dies.
	var killed bool
	if err := two.R.QueryRowContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid() LIMIT 1`).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminating instance one's lease connection: %v (%v)", err, killed)
	}
	waitFor(t, "instance two takes the job over", func() bool { return job.last() == "two" })
	if m := job.most.Load(); m != 1 {
		t.Fatalf("the job ran on %d instances at once", m)
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
