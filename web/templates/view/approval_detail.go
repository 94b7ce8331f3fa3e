package view

import (
	"strings"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
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

// OrderStateView is the order as read now, beside a request: what the
// change would do to it.
type OrderStateView struct {
	Status                               Badge
	Order, Captured, Refunded, Remaining Money
	Refundable                           Money
	Effect                               []ConfirmRow
	// Problem says why the provider will likely refuse the change now
	// ("" when it looks possible); the provider decides.
	Problem string
}

// NewOrderState describes o and the effect of r on it.
func NewOrderState(o *omclient.Order, r approvals.Request, numbers string) OrderStateView {
	refundable := orders.Refundable(o)
	v := OrderStateView{Status: statusBadge(o.Status), Order: MoneyOf(o.OrderAmount, o, numbers), Captured: MoneyOf(o.CapturedAmount, o, numbers),
		Refunded: MoneyOf(o.RefundedAmount, o, numbers), Remaining: MoneyOf(o.RemainingAuthorizedAmount, o, numbers), Refundable: MoneyOf(refundable, o, numbers)}
	switch r.Op {
	case omclient.OpCreateRefund:
		v.Effect = []ConfirmRow{
			{Key: "refunded", Label: "Refunded", Before: MoneyText(o.RefundedAmount, o, numbers), After: MoneyText(o.RefundedAmount+r.Amount, o, numbers)},
			{Key: "refundable", Label: "Refundable", Before: MoneyText(refundable, o, numbers), After: MoneyText(max(refundable-r.Amount, 0), o, numbers)},
		}
		if r.Amount > refundable {
			v.Problem = "The order now has only " + MoneyText(refundable, o, numbers) + " refundable (captured minus refunded): the provider will most likely refuse this refund."
		}
	case omclient.OpCancel:
		v.Effect = []ConfirmRow{
			{Key: "status", Label: "Status", Before: StatusText(o.Status), After: StatusText(omclient.StatusCancelled)},
			{Key: "remaining", Label: "Remaining authorized", Before: MoneyText(o.RemainingAuthorizedAmount, o, numbers), After: MoneyText(0, o, numbers)},
		}
		if o.Status != omclient.StatusAuthorized {
			v.Problem = "The order is " + strings.ToLower(StatusText(o.Status)) + " now: the provider will most likely refuse the cancellation."
		}
	case omclient.OpReleaseRemaining:
		v.Effect = []ConfirmRow{
			{Key: "remaining", Label: "Remaining authorized", Before: MoneyText(o.RemainingAuthorizedAmount, o, numbers), After: MoneyText(0, o, numbers)},
		}
	case omclient.OpUpdateAuthorization:
		v.Effect = []ConfirmRow{
			{Key: "order", Label: "Order amount", Before: MoneyText(o.OrderAmount, o, numbers), After: MoneyText(r.Amount, o, numbers)},
		}
	}
	return v
}

// ApprovalNotice is a message at the top of a request's page: the outcome
// of a decision, or why it was not taken.
type ApprovalNotice struct {
	// Kind is "ok", "warn" or "error" (the colour).
	Kind    string
	Heading string
	Message string
}

// ApprovalDetailView is the /approvals/:id page.
type ApprovalDetailView struct {
	Item ApprovalItem
	// Order is the order read now (nil when the read failed: OrderError).
	Order      *OrderStateView
	OrderError string
	Path       []ApprovalStep
	CSRF       string
	// Comment is the typed comment, kept when a decision is refused;
	// CommentError the message at the field.
	Comment, CommentError string
	Notice                *ApprovalNotice
	// OwnNote is shown to the requester instead of the decision forms.
	OwnNote string
	// Others are the order's other captures, refunds and requests
	// (newest first); Intent, when set, asks the decider to confirm a
	// request identical to one already made or waiting (approval_intent.go).
	Others []string
	Intent *Intent
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
