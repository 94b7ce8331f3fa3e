package view

import (
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
)

// HomeNotices is what the start page brings to a member without their
// asking: the decisions on their own four-eyes requests since they last
// looked, and for supervisors and admins the requests they may decide and
// the changes waiting for review.
type HomeNotices struct {
	// Decisions are the member's requests decided since they last looked,
	// newest first.
	Decisions []ApprovalItem
	// Decides: the member approves requests and reviews changes, so the
	// two sections below are shown (empty or not).
	Decides bool
	// Waiting are the requests the member may decide, oldest first, at
	// most HomeListed; WaitingMore counts the rest.
	Waiting     []ApprovalItem
	WaitingMore int
	// Review is the start of the review queue, at most HomeListed
	// changes; ReviewPending says how many wait in all.
	Review        []ReviewQueueItem
	ReviewPending string
}

// HomeListed bounds each list of the start page's notices.
const HomeListed = 5

// NewDecisionNotices builds the decisions a requester has not seen.
func NewDecisionNotices(rs []approvals.Request, viewer ApprovalViewer, now time.Time, loc *time.Location) []ApprovalItem {
	var out []ApprovalItem
	for _, r := range rs {
		out = append(out, NewApprovalItem(r, viewer, now, loc))
	}
	return out
}

// SetWaiting lists the requests a decider may decide.
func (n *HomeNotices) SetWaiting(rs []approvals.Request, viewer ApprovalViewer, now time.Time, loc *time.Location) {
	for i, r := range rs {
		if i == HomeListed {
			n.WaitingMore = len(rs) - HomeListed
			break
		}
		n.Waiting = append(n.Waiting, NewApprovalItem(r, viewer, now, loc))
	}
}

// SetReview lists the start of the review queue: unknown outcomes first,
// as the queue's page does.
func (n *HomeNotices) SetReview(q audit.ReviewQueue, loc *time.Location, numbers string) {
	v := NewReviewQueueView(q, "", loc, "", numbers)
	n.ReviewPending = v.PendingText
	for _, it := range append(v.Unknown, v.Items...) {
		if len(n.Review) == HomeListed {
			break
		}
		n.Review = append(n.Review, it)
	}
}
