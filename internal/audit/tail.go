package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// The start-up check.
//
// A log that was rolled back (events deleted from its end, or the file
// replaced by an older copy) or forked (rewritten from some event on) no
// longer reaches, or no longer matches, the newest checkpoint signed for
// it. StartCheckpoints compares the two before anything is appended or
// signed, so that the back office never builds on such a log: appending
// first would fork the signed chain for good, and a checkpoint of the
// rewritten head would sign the forgery. The check costs one read of the
// checkpoint file, one signature check and one lookup by seq.

// AcknowledgeCommand is the command that records an acknowledged restore.
const AcknowledgeCommand = "admin audit acknowledge -reason TEXT"

// MismatchError is the start-up refusal: the log does not match its
// newest signed checkpoint. Its message is one line that says what is
// wrong and what to do.
type MismatchError struct {
	// Problem says what does not match.
	Problem string
}

func (e *MismatchError) Error() string {
	return "audit log refused: " + e.Problem + "; if audit.db was restored from a backup, record that with '" +
		AcknowledgeCommand + "' (an audited event that names the lost events), otherwise investigate with 'admin audit verify'"
}

// hashAt returns the stored hash of event seq: GenesisHash for 0, "" when
// the log has no such event.
func hashAt(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, seq int64) (string, error) {
	if seq == 0 {
		return GenesisHash, nil
	}
	var h string
	err := q.QueryRowContext(ctx, `SELECT hash FROM events WHERE seq = ?`, seq).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("audit: event %d: %w", seq, err)
	}
	return h, nil
}

// tailProblem compares a log of n events with the signed checkpoint cp:
// "" when the log is cp's log or an extension of it (the chain makes the
// hash at cp.Count commit to every event before it), else the problem in
// words.
func tailProblem(ctx context.Context, d *sql.DB, n int64, cp Checkpoint) (string, error) {
	at := cp.Time.Format(time.RFC3339)
	if cp.Count > n {
		return fmt.Sprintf("the log holds %d events but the checkpoint signed %s covers %d: events %d..%d are missing (rolled back or restored from an older copy)",
			n, at, cp.Count, n+1, cp.Count), nil
	}
	h, err := hashAt(ctx, d, cp.Count)
	if err != nil {
		return "", err
	}
	if h != cp.Head {
		return fmt.Sprintf("event %d is not the one the checkpoint signed %s covers: the log was rewritten or forked", cp.Count, at), nil
	}
	return "", nil
}

// NeverServed reports whether no back office ever wrote to the log: every
// event is a staff change made with an admin command (`admin user add`
// before the first start). Such a log may get its first key and
// checkpoint; any other log with events must already have them. It reads
// the whole log, so it is asked only when the key or the checkpoints are
// missing.
func (l *Log) NeverServed(ctx context.Context) (bool, error) {
	return neverServed(ctx, l.db.R)
}

func neverServed(ctx context.Context, d *sql.DB) (bool, error) {
	var served bool
	err := d.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE kind <> ? OR staff_role <> ?)`,
		string(KindStaff), CLIRole).Scan(&served)
	if err != nil {
		return false, fmt.Errorf("audit: %w", err)
	}
	return !served, nil
}

// CLIRole is the actor role of the staff changes admin commands record.
const CLIRole = "cli"

// checkTail is the start-up check of a log of n events against the newest
// checkpoint of its store (zero when it holds none signed by the key): a
// log with events must have one, and must match it, unless no back office
// ever served it and the store was never written (the first start after
// `admin user add`).
func checkTail(ctx context.Context, d *sql.DB, n int64, last Checkpoint, store CheckpointStore) error {
	if last.Time.IsZero() {
		if n == 0 {
			return nil
		}
		started, err := store.Started(ctx)
		if err != nil {
			return err
		}
		if !started {
			if never, err := neverServed(ctx, d); err != nil || never {
				return err
			}
		}
		return &MismatchError{Problem: fmt.Sprintf("the log holds %d events but %s holds no checkpoint signed by this key (deleted, replaced, or signed by another key)", n, store)}
	}
	p, err := tailProblem(ctx, d, n, last)
	if err != nil {
		return err
	}
	if p == "" && !shared(store) {
		p = unsignedAfterStop(n, last)
	}
	if p != "" {
		return &MismatchError{Problem: p}
	}
	return nil
}

// unsignedAfterStop is the problem of a log with events after its newest
// checkpoint when that one was signed as the back office stopped: every
// writer that appends to a stopped log signs what it appended
// (SignWhileStopped), so nothing should be there ("" when nothing is).
//
// The rule holds for one instance on SQLite only, whose close stops the
// back office. In a fleet (PostgreSQL) one instance stopping stops
// nothing: the others append on, and an instance that starts (or a
// verification that runs) before they sign again finds events after the
// stopping instance's last checkpoint that are the fleet's, not forged.
// So a fleet signs no stopped checkpoint (checkpoint_fleet.go), and its
// table is never held to this rule: events after its newest checkpoint
// are reported as not yet covered, as after a crash. What that gives up:
// events appended while the whole fleet is down (an admin command run
// with ORDERCARE_DATABASE_URL, or someone with the database) are not told
// apart from the fleet's at the next start, which covers them with its
// checkpoint; they stay in the chain, each naming the instance that wrote
// it (none for a command run by hand). Telling "the fleet stopped" apart
// would need every instance's stop recorded and agreed on, which a killed
// instance never does.
func unsignedAfterStop(n int64, last Checkpoint) string {
	if !last.Stopped || n <= last.Count {
		return ""
	}
	return fmt.Sprintf("events %d..%d were appended after the back office stopped at %d events (signed %s), and nothing signed them",
		last.Count+1, n, last.Count, last.Time.Format(time.RFC3339))
}

// SignWhileStopped signs a stopped checkpoint of the log's head when the
// newest checkpoint of file says the back office is stopped and the log
// still matches it: admin commands that append while it is stopped call
// it, so that their events are not taken for forged ones at the next
// start. While the back office runs (or after a crash) it does nothing:
// the back office covers the events itself.
//
// appended is how many events the command appended: the log must be the
// stopped checkpoint's plus those, so that events forged onto the stopped
// log before the command ran are never signed here.
func (l *Log) SignWhileStopped(ctx context.Context, key SigningKey, file string, appended int64) error {
	v, err := note.NewVerifier(key.VerifierKey)
	if err != nil {
		return fmt.Errorf("audit: verifier key: %w", err)
	}
	store := l.CheckpointStore(file)
	last, err := lastCheckpointOf(ctx, store, v)
	if err != nil || !last.Stopped {
		return err
	}
	n, _, err := head(ctx, l.db.R)
	if err != nil {
		return err
	}
	p, err := tailProblem(ctx, l.db.R, n, last)
	if err != nil || p != "" || n-appended != last.Count {
		return err // a log that does not match is the next start's to refuse, never signed here
	}
	_, err = l.signNow(ctx, key, store, true)
	return err
}

// CheckAgainst is the start-up check against a checkpoint held elsewhere
// (a witness's): the log must reach it and match it, unless an
// acknowledged restore recorded since accounts for it (ErrAcknowledged).
func (l *Log) CheckAgainst(ctx context.Context, cp Checkpoint, where string) error {
	n, _, err := head(ctx, l.db.R)
	if err != nil {
		return err
	}
	p, err := tailProblem(ctx, l.db.R, n, cp)
	if err != nil || p == "" {
		return err
	}
	evs, err := l.eventsWhere(ctx, `kind = 'acknowledged' ORDER BY seq`)
	if err != nil {
		return err
	}
	var acks []acknowledgement
	for _, e := range evs {
		if through, err := strconv.ParseInt(e.Detail["matched_through"], 10, 64); err == nil {
			acks = append(acks, acknowledgement{Seq: e.Seq, Time: e.Time, Through: through})
		}
	}
	if excused(cp, acks) {
		return ErrAcknowledged
	}
	return &MismatchError{Problem: where + ": " + p}
}

// ErrAcknowledged: the checkpoint held elsewhere is one an acknowledged
// restore accounts for; the holder (a witness) must be reset to follow
// the restored log.
var ErrAcknowledged = errors.New("audit: the checkpoint is from before an acknowledged restore")
