package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
)

// CheckpointType is the type of the events that publish the audit log's
// signed checkpoints, so that a copy of each lives outside the data folder
// that anyone holding the files could rewrite. The receiver keeps the
// notes, one after the other, in a file; `admin audit verify -checkpoints
// FILE` then proves the local log is a consistent extension of each.
const CheckpointType = "audit.checkpoint"

// CheckpointEvent is the JSON body of an audit.checkpoint event.
type CheckpointEvent struct {
	ID   string    `json:"id"`
	Type string    `json:"type"`
	Time time.Time `json:"time"`
	// Count and Head are what the note asserts (read them from the note,
	// whose signature covers them).
	Count int64  `json:"count"`
	Head  string `json:"head"`
	// Note is the signed note, as audit.checkpoints holds it.
	Note string `json:"note"`
}

// RecordCheckpoint adds the outbox row of a signed checkpoint and wakes
// delivery; it goes out signed and retried like every event. The row's
// audit_seq is the checkpoint's count negated (no event has a seq below
// 1), so a checkpoint of a count already published is not sent again:
// the stop's and the next start's checkpoints of an idle log are one,
// and after an acknowledged restore publication resumes once the log has
// grown past the counts already sent.
func (o *Outbox) RecordCheckpoint(ctx context.Context, cp audit.Checkpoint, note []byte) error {
	ev := CheckpointEvent{ID: uuid.NewString(), Type: CheckpointType, Time: cp.Time.UTC(), Count: cp.Count, Head: cp.Head, Note: string(note)}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	now := o.now()
	if _, err := o.db.W.ExecContext(ctx, `INSERT INTO outbox (event_id, audit_seq, order_id, action, outcome, body,
		created_at, give_up_at, next_at) VALUES (?,?,'',?,'',?,?,?,?) ON CONFLICT (audit_seq) DO NOTHING`,
		ev.ID, -cp.Count, CheckpointType, body, fmtTime(now), fmtTime(now.Add(o.window)), fmtTime(now)); err != nil {
		return fmt.Errorf("outbox: checkpoint %d: %w", cp.Count, err)
	}
	o.poke()
	return nil
}
