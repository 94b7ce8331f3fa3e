package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Acknowledged restores.
//
// A restore from a backup legitimately leaves the log shorter than its
// newest signed checkpoint: the events after the backup are gone, and the
// start-up check (tail.go) refuses the log, as it would a rollback by
// someone who holds the files. An admin who knows it was a restore records
// that with `admin audit acknowledge`: an event of kind acknowledged that
// names the lost events, then a checkpoint signed right after it that
// covers it. From then on the back office starts, and `admin audit verify`
// reports the restore and no longer counts as problems the checkpoints it
// accounts for: those signed before the acknowledgement, of events after
// the last checkpoint the restored log still matches. Nothing is hidden:
// the event stays in the log, is covered by every later checkpoint, and
// every verification lists it.

// acknowledgement is an acknowledged restore as verification reads it.
type acknowledgement struct {
	Seq  int64
	Time time.Time
	// Through is the count of the newest checkpoint the log still matched:
	// checkpoints signed before the acknowledgement of more events than
	// that are accounted for.
	Through int64
	Summary string
}

func acknowledgementOf(r row) (acknowledgement, bool) {
	e, err := r.event()
	if err != nil {
		return acknowledgement{}, false
	}
	through, err := strconv.ParseInt(e.Detail["matched_through"], 10, 64)
	if err != nil {
		return acknowledgement{}, false
	}
	return acknowledgement{Seq: e.Seq, Time: e.Time, Through: through, Summary: e.Detail["summary"]}, true
}

// excused reports whether an acknowledged restore accounts for cp, a
// checkpoint the log does not match. Checkpoint times are whole seconds,
// so one signed in the same second just after the acknowledgement counts
// as before it.
func excused(cp Checkpoint, acks []acknowledgement) bool {
	for _, a := range acks {
		if cp.Count > a.Through && !cp.Time.After(a.Time) {
			return true
		}
	}
	return false
}

// Acknowledge records that the log no longer matches the newest checkpoint
// of file signed by key (a restore from a backup, or a log that predates
// signing, or holds events appended unsigned after a stop), then signs a
// stopped checkpoint that covers the record. It refuses a
// log whose hash chain is broken (no restore does that) and a log that
// matches its newest checkpoint (nothing to acknowledge). The log must not
// have a checkpointer running (the back office stopped).
func (l *Log) Acknowledge(ctx context.Context, key SigningKey, file, reason string, by Actor) (Event, Checkpoint, error) {
	if reason == "" {
		return Event{}, Checkpoint{}, errors.New("audit: say why, with a reason (which backup was restored, and when)")
	}
	v, err := note.NewVerifier(key.VerifierKey)
	if err != nil {
		return Event{}, Checkpoint{}, fmt.Errorf("audit: verifier key: %w", err)
	}
	store := l.CheckpointStore(file)
	b, err := store.Notes(ctx)
	if err != nil {
		return Event{}, Checkpoint{}, err
	}
	rep, err := verifyCheckpoints(ctx, l.db.R, []CheckpointSource{{Notes: b, Local: !shared(store)}}, v)
	if err != nil {
		return Event{}, Checkpoint{}, err
	}
	if !rep.Chain.OK {
		return Event{}, Checkpoint{}, fmt.Errorf("audit: the hash chain is broken at event %d (%s); a restored backup has an intact chain, so nothing was recorded",
			rep.Chain.FirstBad, rep.Chain.Reason)
	}
	last := lastCheckpointInNotes(b, v)
	n := rep.Chain.Events
	if err := checkTail(ctx, l.db.R, n, last, store); err == nil {
		return Event{}, Checkpoint{}, errors.New("audit: the log matches its newest signed checkpoint: nothing to acknowledge")
	} else if !errors.As(err, new(*MismatchError)) {
		return Event{}, Checkpoint{}, err
	}
	var through int64
	if rep.Matched > 0 {
		through = rep.Latest.Count
	}
	at := last.Time.Format(time.RFC3339)
	var summary string
	switch {
	case last.Time.IsZero():
		summary = fmt.Sprintf("no checkpoint signed by this key covered the log's %d events; signing starts here", n)
	case last.Count <= n && !shared(store) && unsignedAfterStop(n, last) != "":
		summary = fmt.Sprintf("events %d..%d were appended after the back office stopped at %d events (checkpoint signed %s) and nothing signed them; accepted as the log's",
			last.Count+1, n, last.Count, at)
	case last.Count > n:
		summary = fmt.Sprintf("restored from backup: the log holds %d events, the newest checkpoint (signed %s) covered %d; events %d..%d lost",
			n, at, last.Count, n+1, last.Count)
	default:
		summary = fmt.Sprintf("the log departs from the signed one after event %d: the signed events %d..%d (checkpoint signed %s) are lost, the log's events %d..%d replace them",
			through, through+1, last.Count, at, through+1, n)
	}
	detail := map[string]string{
		"summary":          summary,
		"log_events":       strconv.FormatInt(n, 10),
		"matched_through":  strconv.FormatInt(through, 10),
		"checkpoint_count": strconv.FormatInt(last.Count, 10),
		"checkpoint_head":  last.Head,
		"verifier_key":     key.VerifierKey,
	}
	if !last.Time.IsZero() {
		detail["checkpoint_time"] = at
	}
	e, err := l.Append(ctx, Event{Kind: KindAcknowledged, Actor: by, Reason: reason, Detail: detail})
	if err != nil {
		return Event{}, Checkpoint{}, err
	}
	if err := l.resetTree(ctx); err != nil {
		return Event{}, Checkpoint{}, err
	}
	cp, err := l.signNow(ctx, key, store, true)
	return e, cp, err
}

// signNow signs a checkpoint of the log's head and appends it to the
// store; stopped marks it as signed while the back office is stopped,
// never in a fleet's table (tail.go).
func (l *Log) signNow(ctx context.Context, key SigningKey, store CheckpointStore, stopped bool) (Checkpoint, error) {
	if err := l.syncWAL(); err != nil { // nothing unsynced is signed (AppendDeferred)
		return Checkpoint{}, err
	}
	n, h, err := head(ctx, l.db.R)
	if err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{Count: n, Head: h, Time: l.now().UTC(), Stopped: stopped && !shared(store)}
	if cp.Root, err = l.rootOf(ctx, n); err != nil {
		return Checkpoint{}, err
	}
	msg, err := SignCheckpoint(key.Signer, cp)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := store.Append(ctx, msg); err != nil {
		return Checkpoint{}, err
	}
	return cp, nil
}
