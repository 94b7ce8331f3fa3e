package audit

import "context"

// KindNote is an internal note a staff member added to an order: the text
// in Reason, the order in OrderID. A note is never edited nor removed (the
// log allows neither); a correction is another note.
const KindNote Kind = "note"

// NoteEvents returns an order's notes, oldest first.
func (l *Log) NoteEvents(ctx context.Context, orderID string) ([]Event, error) {
	if orderID == "" {
		return nil, nil
	}
	return l.eventsWhere(ctx, notesWhere, orderID)
}

// notesWhere finds an order's notes through the order's events
// (events_order), like approvalsWhere.
const notesWhere = byOrder + ` AND +kind = 'note' ORDER BY seq`
