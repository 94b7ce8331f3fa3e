package view

import (
	"net/url"
	"strings"
	"time"

	"ordercare/internal/approvals"
)

// ApprovalItem is one request as the pages show it.
type ApprovalItem struct {
	ID, Href                       string
	OrderID, OrderTitle, OrderHref string
	// Action is "Refund" or "Cancel"; What is "refund of 600.00 EUR".
	Action, What string
	// Amount is "600.00 EUR" (the refund, or the cancelled order's amount).
	Amount      string
	AmountMinor int64
	Status      Badge
	RequestedBy string
	Created     Time
	// CreatedRel is "2 days ago"; ExpiresRel "expires in 3 days" while
	// pending, else "".
	CreatedRel, ExpiresRel string
	Expires                Time
	Why, Reason, Ticket    string
	// Decision is "Approved by x at T", "Expired at T without a
	// decision"; "" while pending.
	Decision string
	Comment  string
	// ResourceID, ErrorCode and Message: the provider's answer to the
	// approved change.
	ResourceID, ErrorCode, Message string
	Open                           bool
	// Own: the viewer made the request.
	Own bool
	// Scope is what the request covers (lines or amount only) and its
	// effect; Customer the order's customer ("" when not known: the
	// handler fills it from the order index or the order read).
	Scope    ApprovalScope
	Customer string
	// CanDecide: a supervisor or admin other than the requester, while
	// pending. CanWithdraw: the requester, while pending. CanResend: a
	// supervisor or admin other than the requester, when approved and
	// not settled.
	CanDecide, CanWithdraw, CanResend bool
	// Shop is the change's second half in the shop ("" when the payment
	// change goes alone): approving sends both.
	Shop string
}

// ApprovalHref is a request's page.
func ApprovalHref(id string) string { return "/approvals/" + url.PathEscape(id) }

// ApprovalDecision says who closed or approved r and when: "Approved by
// x@example.com at 2 Mar 2026, 14:05 CET"; "" while pending.
func ApprovalDecision(r approvals.Request, loc *time.Location) string {
	at := newTime(r.DecidedAt, loc).Text
	switch r.Status {
	case approvals.StatusApproved, approvals.StatusExecuted, approvals.StatusFailed, approvals.StatusUnknown:
		return "Approved by " + orDash(r.DecidedBy.Email) + " at " + at
	case approvals.StatusRejected:
		return "Rejected by " + orDash(r.DecidedBy.Email) + " at " + at
	case approvals.StatusWithdrawn:
		return "Withdrawn by " + orDash(r.DecidedBy.Email) + " at " + at
	case approvals.StatusExpired:
		return "Expired at " + at + " without a decision"
	}
	return ""
}

// NewApprovalItem builds the view of r for viewer at now.
func NewApprovalItem(r approvals.Request, viewer ApprovalViewer, now time.Time, loc *time.Location) ApprovalItem {
	if loc == nil {
		loc = time.UTC
	}
	title := "Order " + r.OrderID
	if strings.TrimSpace(r.OrderRef) != "" {
		title = "Order " + r.OrderRef
	}
	own := viewer.StaffID != 0 && viewer.StaffID == r.RequestedBy.StaffID
	it := ApprovalItem{
		ID: r.ID, Href: ApprovalHref(r.ID), OrderID: r.OrderID, OrderTitle: title, OrderHref: OrderPath(r.OrderID),
		Action: auditActionName(string(r.Op)), What: ApprovalWhat(r.Op, r.Amount, r.Currency, viewer.Numbers),
		Amount: ApprovalAmount(r.Amount, r.Currency, viewer.Numbers), AmountMinor: r.Amount, Status: ApprovalStatusBadge(r.Status),
		RequestedBy: r.RequestedBy.Email, Created: newTime(r.CreatedAt, loc), CreatedRel: sinceText(r.CreatedAt, now, loc),
		Expires: newTime(r.ExpiresAt, loc), Why: MoneyIn(r.Why, viewer.Numbers), Reason: r.Reason, Ticket: r.Ticket,
		Decision: ApprovalDecision(r, loc), Comment: r.Comment,
		ResourceID: r.ResourceID, ErrorCode: r.ErrorCode, Message: r.Message,
		Open: r.Status.Open(), Own: own, Scope: NewApprovalScope(r, viewer.Numbers),
	}
	if r.Status == approvals.StatusPending {
		if now.Before(r.ExpiresAt) {
			it.ExpiresRel = "expires " + relative(r.ExpiresAt, now, loc)
		} else {
			it.ExpiresRel = "expired, closing"
		}
		it.CanDecide = viewer.decides() && !own && now.Before(r.ExpiresAt)
		it.CanWithdraw = own
	}
	it.CanResend = r.Status.Resendable() && viewer.decides() && !own
	if r.Shop != nil {
		it.Shop = ShopApprovalText(r.Shop.Action, r.Shop.ShopOrderID)
	}
	return it
}

// sinceText is when a request was made: "just now" within the minute
// (clocks of two processes may differ by a little), else relative.
func sinceText(t, now time.Time, loc *time.Location) string {
	if d := now.Sub(t); d > -time.Minute && d < time.Minute {
		return "just now"
	}
	return relative(t, now, loc)
}
