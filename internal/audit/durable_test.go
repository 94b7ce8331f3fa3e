package audit

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// blockSyncs makes the log's syncs, once armed, wait for release; each
// sync that starts armed is announced on started. Call it before anything
// else runs on the log: the syncs read the hook it sets.
func blockSyncs(l *Log) (started <-chan struct{}, arm, release func()) {
	s := make(chan struct{}, 64)
	gate := make(chan struct{})
	var armed atomic.Bool
	l.testSync = func() error {
		if armed.Load() {
			s <- struct{}{}
			<-gate
		}
		return l.db.SyncWAL()
	}
	var once sync.Once
	return s, func() { armed.Store(true) }, func() { once.Do(func() { close(gate) }) }
}

func appendAsync(l *Log, e Event, deferred bool) <-chan error {
	done := make(chan error, 1)
	go func() {
		var err error
		if deferred {
			_, err = l.AppendDeferred(context.Background(), e)
		} else {
			_, err = l.Append(context.Background(), e)
		}
		done <- err
	}()
	return done
}

// An outcome is answered once committed, while the disk is still
// syncing; a request only after the sync: what the pipeline relies on
// to send nothing unrecorded without making the agent wait twice.
func TestDeferredAppendIsAnsweredBeforeTheSyncAppendAfter(t *testing.T) {
	l, _ := openTest(t)
	started, arm, release := blockSyncs(l)
	defer release()
	arm()

	select {
	case err := <-appendAsync(l, sampleEvent(1), true):
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("AppendDeferred waited for the sync to disk")
	}
	if n, _, err := l.Head(context.Background()); err != nil || n != 1 {
		t.Fatalf("head after AppendDeferred = %d, %v; want the event seen by readers at once", n, err)
	}

	durable := appendAsync(l, sampleEvent(2), false)
	<-started // the sync the durable append waits for (or the deferred one's)
	select {
	case err := <-durable:
		t.Fatalf("Append answered (%v) while the sync to disk had not finished", err)
	case <-time.After(200 * time.Millisecond):
	}
	release()
	select {
	case err := <-durable:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Append not answered after the sync")
	}
}

// With no Append after it, a deferred event is still synced, soon.
func TestDeferredAppendIsSyncedWithoutAnotherAppend(t *testing.T) {
	l, _ := openTest(t)
	var syncs atomic.Int64
	synced := make(chan struct{}, 64)
	l.testSync = func() error {
		syncs.Add(1)
		synced <- struct{}{}
		return l.db.SyncWAL()
	}
	if _, err := l.AppendDeferred(context.Background(), sampleEvent(1)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-synced:
	case <-time.After(30 * time.Second):
		t.Fatalf("a deferred event was not synced (bound %s); %d syncs", DeferredSyncWithin, syncs.Load())
	}
}

// A signed checkpoint vouches for events on disk only: one over events
// a power loss could still take would later read as a log cut short.
func TestCheckpointsCoverOnlySyncedEvents(t *testing.T) {
	l, _ := openTest(t)
	_, arm, release := blockSyncs(l)
	defer release()
	if err := l.StartCheckpoints(CheckpointConfig{Key: testKey(t), Every: 1, Interval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	first := l.CheckpointStatus().Last.Count
	arm()
	for i := 1; i <= 3; i++ {
		if err := <-appendAsync(l, sampleEvent(i), true); err != nil {
			t.Fatal(err)
		}
	}
	// Several interval checkpoints fall while the sync is held.
	time.Sleep(300 * time.Millisecond)
	if st := l.CheckpointStatus(); st.Last.Count != first {
		t.Fatalf("checkpoint over %d events signed before they were synced", st.Last.Count)
	}
	release()
	deadline := time.Now().Add(30 * time.Second)
	for l.CheckpointStatus().Last.Count != 3 {
		if time.Now().After(deadline) {
			t.Fatalf("after the sync, checkpoint = %+v, want 3 events", l.CheckpointStatus().Last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// After a failed sync nothing more is taken: a later fsync that succeeds
// would not vouch for the events the failed one left in doubt.
func TestAFailedSyncStopsTheLog(t *testing.T) {
	l, _ := openTest(t)
	var fail atomic.Bool
	l.testSync = func() error {
		if fail.Load() {
			return errors.New("EIO")
		}
		return l.db.SyncWAL()
	}
	if _, err := l.Append(context.Background(), sampleEvent(1)); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	if _, err := l.Append(context.Background(), sampleEvent(2)); err == nil {
		t.Fatal("Append answered without error although its sync failed")
	}
	fail.Store(false)
	if _, err := l.Append(context.Background(), sampleEvent(3)); err == nil || !strings.Contains(err.Error(), "not synced") {
		t.Fatalf("Append after a failed sync = %v, want the sync's failure", err)
	}
	if err := l.Writable(context.Background()); err == nil {
		t.Fatal("Writable reports a log whose sync failed as writable")
	}
}

// After a failed sync no checkpoint is signed over the events it left in
// doubt, even when a later sync succeeds: the failed one may have left
// their pages unwritten.
func TestNoCheckpointOverAFailedSync(t *testing.T) {
	l, _ := openTest(t)
	var fail atomic.Bool
	l.testSync = func() error {
		if fail.CompareAndSwap(true, false) { // this sync only
			return errors.New("EIO")
		}
		return l.db.SyncWAL()
	}
	if err := l.StartCheckpoints(CheckpointConfig{Key: testKey(t), Interval: 20 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(context.Background(), sampleEvent(1)); err != nil {
		t.Fatal(err)
	}
	fail.Store(true)
	if _, err := l.Append(context.Background(), sampleEvent(2)); err == nil {
		t.Fatal("Append answered without error although its sync failed")
	}
	time.Sleep(300 * time.Millisecond) // several interval checkpoints
	if n := l.CheckpointStatus().Last.Count; n > 1 {
		t.Fatalf("checkpoint over %d events signed after the sync of event 2 failed", n)
	}
}
