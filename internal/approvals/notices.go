package approvals

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// Notices: what reaches people without their asking. A requester is shown
// the decisions on their requests made since they last looked (the time of
// the newest decision they were shown, kept per member in approval_seen: no
// other record says what a member has seen); a decider is shown the
// requests they may decide.

// MaxNotices bounds the decisions shown at once.
const MaxNotices = 20

// seenAt is the decided_at of the newest decision staffID was shown ("" when never).
func (s *Service) seenAt(ctx context.Context, staffID int64) (string, error) {
	var at string
	err := s.db.QueryRow(ctx, `SELECT seen_at FROM approval_seen WHERE staff_id = ?`, staffID).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("approvals: when you last looked: %w", err)
	}
	return at, nil
}

// decidedWhere selects a requester's decided requests after a seen_at: the
// ends a requester hears about are approved (and how sending went),
// rejected and expired; a withdrawal is their own doing.
const decidedWhere = ` FROM approval_requests WHERE requested_by_id = ? AND decided_at > ?` + decidedStatuses

const decidedStatuses = ` AND status IN ('approved', 'executed', 'failed', 'unknown', 'rejected', 'expired')`

// unseenCountSQL is decidedWhere's count with the member's mark read in
// the same statement.
const unseenCountSQL = `SELECT count(*) FROM approval_requests WHERE requested_by_id = ?
	AND decided_at > coalesce((SELECT seen_at FROM approval_seen WHERE staff_id = ?), '')` + decidedStatuses

// Unseen returns the decisions on staffID's requests made since they last
// looked (MarkSeen), newest first, at most MaxNotices.
func (s *Service) Unseen(ctx context.Context, staffID int64) ([]Request, error) {
	if staffID == 0 {
		return nil, nil
	}
	seen, err := s.seenAt(ctx, staffID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT `+requestCols+decidedWhere+` ORDER BY decided_at DESC, id DESC LIMIT ?`,
		staffID, seen, MaxNotices)
	return collect(rows, err, "your decided requests")
}

// UnseenCount counts those decisions, for the navigation of every page:
// one statement, the mark read inside it.
func (s *Service) UnseenCount(ctx context.Context, staffID int64) (int, error) {
	if staffID == 0 {
		return 0, nil
	}
	var n int
	err := s.db.QueryRow(ctx, unseenCountSQL, staffID, staffID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("approvals: counting your decided requests: %w", err)
	}
	return n, nil
}

// MarkSeen records that staffID was shown the decisions up to and
// including shown[0] (Unseen's newest). The mark is that decision's time,
// not the clock's, so a decision made while the page was being built is
// still new next time; it never moves back.
func (s *Service) MarkSeen(ctx context.Context, staffID int64, shown []Request) error {
	if staffID == 0 || len(shown) == 0 {
		return nil
	}
	at := formatTime(shown[0].DecidedAt)
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO approval_seen (staff_id, seen_at) VALUES (?, ?)
		ON CONFLICT (staff_id) DO UPDATE SET seen_at = CASE WHEN excluded.seen_at > approval_seen.seen_at
			THEN excluded.seen_at ELSE approval_seen.seen_at END`, staffID, at)
	if err != nil {
		return fmt.Errorf("approvals: recording what you saw: %w", err)
	}
	return nil
}

// Decidable returns the waiting requests actor may decide, oldest first:
// not their own, not expired, and none whose requester recently made or
// managed actor's account (the rule of ApproveConfirmed and Reject, through
// managingChange). Nothing for members who do not decide.
func (s *Service) Decidable(ctx context.Context, actor audit.Actor) ([]Request, error) {
	if role := staff.Role(actor.Role); role != staff.RoleSupervisor && role != staff.RoleAdmin {
		return nil, nil
	}
	waiting, err := s.List(ctx, ListFilter{Statuses: []Status{StatusPending}, OldestFirst: true})
	if err != nil || len(waiting) == 0 {
		return nil, err
	}
	managers, err := s.managersOf(ctx, actor)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Request
	for _, r := range waiting {
		by := r.RequestedBy.StaffID
		if now.Before(r.ExpiresAt) && by != actor.StaffID && !managers[by] {
			out = append(out, r)
		}
	}
	return out, nil
}
