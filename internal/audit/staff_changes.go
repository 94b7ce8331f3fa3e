package audit

import (
	"context"
	"time"
)

// StaffChangesBy returns the staff changes (kind "staff") that staff
// member actorID made since a time, oldest first: who they added, whose
// role they changed, whose password they reset. The four-eyes rule reads
// them so that nobody approves for the one who just made their account.
func (l *Log) StaffChangesBy(ctx context.Context, actorID int64, since time.Time) ([]Event, error) {
	if actorID == 0 {
		return nil, nil
	}
	return l.eventsWhere(ctx, `staff_id = ? AND kind = 'staff' AND time >= ? ORDER BY seq`, actorID, formatTime(since))
}
