package view

import (
	"strings"
	"time"

	"ordercare/internal/audit"
)

// ApprovalStep is one step of a request's path, from its audit event.
type ApprovalStep struct {
	Time Time
	at   time.Time
	// Step is the raw step ("requested", "approved", ...).
	Step string
	// What says it in words: "Requested approval", "Sent: succeeded".
	What    string
	Who     string
	Outcome Badge // executed steps only
	// Detail is the reason and ticket (requested), the comment
	// (decisions), the refund id or the provider's code (executed).
	Detail string
}

// NewApprovalStep describes one approval audit event, its amounts in
// the reader's number format (numbers).
func NewApprovalStep(e audit.Event, loc *time.Location, numbers string) ApprovalStep {
	if loc == nil {
		loc = time.UTC
	}
	d := e.Detail
	st := ApprovalStep{Time: newTime(e.Time, loc), at: e.Time, Step: d["step"], Who: e.Actor.Email, Detail: e.Reason}
	if st.Who == "" {
		st.Who = "ordercare"
	}
	switch st.Step {
	case "requested":
		st.What = "Requested approval"
		st.Detail = joinNonEmpty(" · ", e.Reason, ticketText(e.Ticket), MoneyIn(d["why"], numbers))
	case "approved":
		st.What = "Approved"
	case "rejected":
		st.What = "Rejected"
	case "withdrawn":
		st.What = "Withdrawn"
	case "expired":
		st.What = "Expired without a decision"
	case "executed":
		st.Outcome = outcomeBadge(e.Outcome)
		st.What = "Sent: " + strings.ToLower(st.Outcome.Text)
		st.Detail = joinNonEmpty(" · ", resourceText(e.Action, e.ResourceID), e.ErrorCode, replayedText(e))
	default:
		st.What = humanize(st.Step)
	}
	return st
}

func ticketText(t string) string {
	if t == "" {
		return ""
	}
	return "ticket " + t
}

// ApprovalPath keeps the events of request id, oldest first, as steps.
func ApprovalPath(events []audit.Event, id string, loc *time.Location, numbers string) []ApprovalStep {
	var out []ApprovalStep
	for _, e := range events {
		if e.Detail["approval_id"] == id {
			out = append(out, NewApprovalStep(e, loc, numbers))
		}
	}
	return out
}
