package audit

import (
	"fmt"
	"time"
)

// DeferredSyncWithin bounds how long an event appended with AppendDeferred
// stays committed but not yet synced, when no Append syncs it sooner.
const DeferredSyncWithin = 100 * time.Millisecond

// synced is one commit handed to the syncer: its last seq, and the
// appends that wait for it to be on disk.
type synced struct {
	seq     int64
	at      time.Time
	waiting []*appendReq
	// onDisk: the commit waited for the disk itself (PostgreSQL).
	onDisk bool
}

// answer replies to a committed batch's appends. Those that may wait
// (AppendDeferred) are answered now; the others after the syncer synced
// the commit, unless the commit itself waited for the disk (PostgreSQL).
//
// The writer never waits for the disk itself on SQLite: an fsync of
// this disk takes 4-6 ms at p99, and a writer that synced every commit
// kept each change's outcome waiting behind the fsync of other agents'
// requests, two fsyncs per change in the agent's answer
// (docs/PERFORMANCE.md, "Own time per change").
func (l *Log) answer(batch []*appendReq, seq int64, onDisk bool) {
	s := synced{seq: seq, at: time.Now(), onDisk: onDisk}
	for _, r := range batch {
		if r.deferred || onDisk {
			r.resp <- appendResp{r: r.r}
		} else {
			s.waiting = append(s.waiting, r)
		}
	}
	l.syncs <- s
}

// syncer syncs what the writer committed: at once when an append waits
// for it, otherwise within DeferredSyncWithin of the commit, so that
// deferred events share the next waiting append's sync. A sync covers
// every commit made before it started, so one serves all that arrived
// meanwhile. After each sync the checkpointer may sign up to it.
func (l *Log) syncer() {
	defer close(l.syncDone)
	for first := range l.syncs {
		var batch []synced
		if len(first.waiting) == 0 && !first.onDisk {
			t := time.NewTimer(time.Until(first.at.Add(DeferredSyncWithin)))
			batch = l.moreSyncs([]synced{first}, t.C)
			t.Stop()
		} else {
			batch = l.moreSyncs([]synced{first}, nil)
		}
		// After a failed sync none that succeeds vouches for these
		// commits (syncFailure): they were made before the writer saw
		// the failure, and get its error.
		err := l.syncFailure()
		if err == nil {
			start := time.Now()
			l.syncing.Store(true)
			serr := l.syncWAL()
			l.syncing.Store(false)
			if serr != nil {
				// Before the writer is woken, so that it commits no more.
				err = fmt.Errorf("audit: event committed but not synced to disk: %w", serr)
				l.syncErr.CompareAndSwap(nil, &err)
			}
			select {
			case l.syncEnded <- struct{}{}:
			default: // a signal is already waiting
			}
			l.observeSync(start, serr)
		}
		for _, s := range batch {
			for _, r := range s.waiting {
				r.resp <- appendResp{r: r.r, err: err}
			}
		}
		if err != nil {
			continue
		}
		l.lastSeq.Store(batch[len(batch)-1].seq)
		select {
		case l.committed <- struct{}{}:
		default: // a signal is already waiting
		}
	}
}

// whileSyncing adds to a batch whose every append waits for the disk the
// appends that arrive while a sync runs, until it ends or one that need
// not wait arrives: none of them can be answered before the next sync,
// which starts when this one ends, so committing them one by one meanwhile
// only cost commits (at 10 appenders the batches fell from 7.5 events to
// 2.5 and the appends per second by a third, loadtest audit).
func (l *Log) whileSyncing(batch []*appendReq) []*appendReq {
	if l.db.Postgres || anyDeferred(batch) {
		return batch // PostgreSQL's commits of such batches wait for the disk themselves
	}
	for len(batch) < l.maxBatch && l.syncing.Load() {
		select {
		case r, ok := <-l.reqs:
			if !ok {
				return batch
			}
			batch = append(batch, r)
			if r.deferred {
				return batch
			}
		case <-l.syncEnded:
			return batch
		}
	}
	return batch
}

// moreSyncs adds to batch the commits already handed over and, while
// wait is set, those that arrive until it fires or one has an append
// waiting for it.
func (l *Log) moreSyncs(batch []synced, wait <-chan time.Time) []synced {
	for {
		var s synced
		var ok bool
		if wait == nil {
			select {
			case s, ok = <-l.syncs:
			default:
				return batch
			}
		} else {
			select {
			case s, ok = <-l.syncs:
			case <-wait:
				wait = nil
				continue
			}
		}
		if !ok {
			return batch
		}
		batch = append(batch, s)
		if len(s.waiting) > 0 {
			wait = nil
		}
	}
}

// syncFailure is the error of the first sync that failed, if any. After
// it the log takes no more events until restarted: once an fsync has
// failed, Linux may have dropped the pages it could not write and a later
// fsync that succeeds does not bring them back, so no later sync could
// vouch for the events before it (PostgreSQL stops for the same reason:
// wiki.postgresql.org/wiki/Fsync_Errors). The health check reports it.
func (l *Log) syncFailure() error {
	if p := l.syncErr.Load(); p != nil {
		return *p
	}
	return nil
}

// syncWAL syncs the events' database (a test may stand in for it). After
// a failed sync it returns that failure: no later sync vouches for the
// events before it (syncFailure), so nothing is signed over them.
func (l *Log) syncWAL() error {
	if err := l.syncFailure(); err != nil {
		return err
	}
	if l.testSync != nil {
		return l.testSync()
	}
	return l.db.SyncWAL()
}

// anyDeferred reports whether an append of batch need not wait for the disk.
func anyDeferred(batch []*appendReq) bool {
	for _, r := range batch {
		if r.deferred {
			return true
		}
	}
	return false
}

// allDeferred reports whether no append of batch waits for the disk.
func allDeferred(batch []*appendReq) bool {
	for _, r := range batch {
		if !r.deferred {
			return false
		}
	}
	return true
}
