package view

import (
	"strings"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
)

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

// NewOrderState describes o and the effect of r on it. refundable is what
// the handler found a refund may still take of o (the pipeline's rule), so
// the page warns by the same measure a submit is judged by.
func NewOrderState(o *omclient.Order, r approvals.Request, refundable int64, numbers string) OrderStateView {
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
