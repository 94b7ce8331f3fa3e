package audit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
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

// checkTail is the start-up check of a log of n events against the newest
// checkpoint of its file (zero when the file holds none signed by the
// key): a log with events must have one, and must match it.
func checkTail(ctx context.Context, d *sql.DB, n int64, last Checkpoint, file string) error {
	if last.Time.IsZero() {
		if n == 0 {
			return nil
		}
		return &MismatchError{Problem: fmt.Sprintf("the log holds %d events but %s holds no checkpoint signed by this key (deleted, replaced, or signed by another key)", n, file)}
	}
	p, err := tailProblem(ctx, d, n, last)
	if err != nil {
		return err
	}
	if p != "" {
		return &MismatchError{Problem: p}
	}
	return nil
}
