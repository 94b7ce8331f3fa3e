package view

import (
	"net/url"
	"strings"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// The four-eyes approval pages: the list, one request with the
// order beside it, and the order page's "Waiting for approval" panel.

// ApprovalViewer is who looks at a request: what they may do with it
// depends on their role and on whether they made it.
type ApprovalViewer struct {
	StaffID int64
	Role    string
	// Numbers is the viewer's number format for amounts (money.Show).
	Numbers string
}

// decides reports whether the viewer's role may approve or reject.
func (v ApprovalViewer) decides() bool { return v.Role == "supervisor" || v.Role == "admin" }

// AllRequests reports whether the viewer sees everyone's requests
// (supervisors, admins, the auditor) or only their own (agents).
func (v ApprovalViewer) AllRequests() bool { return v.Role != "agent" }

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

// ApprovalAmount writes a request's amount in the reader's number format
// ("600,00 €", "€600.00").
func ApprovalAmount(amount int64, currency, numbers string) string {
	return newMoney(amount, currency, numbers).Text
}

// ApprovalWhat names a request's change: "refund of 600.00 EUR",
// "cancellation of an order of 600.00 EUR".
func ApprovalWhat(op omclient.Operation, amount int64, currency, numbers string) string {
	switch op {
	case omclient.OpCancel:
		return "cancellation of an order of " + ApprovalAmount(amount, currency, numbers)
	case omclient.OpReleaseRemaining:
		return "release of a remaining authorization of " + ApprovalAmount(amount, currency, numbers)
	case omclient.OpUpdateAuthorization:
		return "order amount change to " + ApprovalAmount(amount, currency, numbers)
	}
	return "refund of " + ApprovalAmount(amount, currency, numbers)
}

// approvalStatuses are the statuses in words.
var approvalStatuses = map[approvals.Status]struct{ text, class string }{
	approvals.StatusPending:   {"Waiting for approval", "pending"},
	approvals.StatusApproved:  {"Approved, being sent", "checked"},
	approvals.StatusExecuted:  {"Approved and sent", "succeeded"},
	approvals.StatusFailed:    {"Approved, refused by the provider", "failed"},
	approvals.StatusUnknown:   {"Approved, outcome unknown", "unknown"},
	approvals.StatusRejected:  {"Rejected", "rejected"},
	approvals.StatusWithdrawn: {"Withdrawn", "disabled"},
	approvals.StatusExpired:   {"Expired", "expired"},
}

// ApprovalStatusBadge is a request's status as a badge.
func ApprovalStatusBadge(s approvals.Status) Badge {
	st, ok := approvalStatuses[s]
	if !ok {
		st.text, st.class = humanize(string(s)), "unknown"
	}
	return Badge{Text: st.text, Class: "badge badge-" + st.class, Value: string(s)}
}

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

// ApprovalResource is what an executed request created: "refund <id>".
func ApprovalResource(r approvals.Request) string { return resourceText(string(r.Op), r.ResourceID) }

// resourceText is "refund <id>" for an executed refund.
func resourceText(action, id string) string {
	if id == "" {
		return ""
	}
	if action == string(omclient.OpCreateRefund) {
		return "refund " + id
	}
	return id
}

// ApprovalPanel is the order page's "Waiting for approval" section.
type ApprovalPanel struct {
	// Loaded: the handler filled it; otherwise the page loads it with
	// htmx (after an in-place change).
	Loaded  bool
	OrderID string
	CSRF    string
	// Open requests (pending, approved, unknown), oldest first.
	Open []ApprovalItem
	// Recent closed requests, newest first (a few).
	Recent []ApprovalItem
}

// ApprovalPanelPath is where the panel loads from.
func ApprovalPanelPath(orderID string) string { return OrderPath(orderID) + "/approvals" }

// ApprovalTab is one status filter of the list.
type ApprovalTab struct {
	Value, Label, Href string
	Active             bool
}

// Approval list tabs.
const (
	TabWaiting = "waiting"
	TabOpen    = "open"
	TabDecided = "decided"
	TabAll     = "all"
)

var approvalTabs = []struct{ value, label string }{
	{TabWaiting, "Waiting"}, {TabOpen, "Open"}, {TabDecided, "Decided"}, {TabAll, "All"},
}

// ApprovalTabOf reads the tab query parameter (unknown: waiting).
func ApprovalTabOf(s string) string {
	for _, t := range approvalTabs {
		if t.value == s {
			return s
		}
	}
	return TabWaiting
}

// ApprovalTabFilter is the list filter of a tab: waiting is the queue
// (pending, oldest first); the others newest first.
func ApprovalTabFilter(tab string) approvals.ListFilter {
	switch tab {
	case TabOpen:
		return approvals.ListFilter{Statuses: []approvals.Status{approvals.StatusPending, approvals.StatusApproved, approvals.StatusUnknown}}
	case TabDecided:
		return approvals.ListFilter{Statuses: []approvals.Status{approvals.StatusExecuted, approvals.StatusFailed,
			approvals.StatusRejected, approvals.StatusWithdrawn, approvals.StatusExpired}}
	case TabAll:
		return approvals.ListFilter{}
	}
	return approvals.ListFilter{Statuses: []approvals.Status{approvals.StatusPending}, OldestFirst: true}
}

// ApprovalsListView is the /approvals page.
type ApprovalsListView struct {
	Tab  string
	Tabs []ApprovalTab
	Rows []ApprovalItem
	// All: the viewer sees everyone's requests; else only their own.
	All bool
	// Empty says why the list is empty, for the tab.
	Empty string
	// Limit is the longest list; Truncated says the list was cut.
	Limit     int
	Truncated bool
	Zone      string
}

// NewApprovalsList builds the list page for tab.
func NewApprovalsList(tab string, rs []approvals.Request, viewer ApprovalViewer, now time.Time, loc *time.Location) ApprovalsListView {
	v := ApprovalsListView{Tab: tab, All: viewer.AllRequests(), Limit: approvals.DefaultLimit,
		Truncated: len(rs) >= approvals.DefaultLimit, Zone: loc.String()}
	for _, t := range approvalTabs {
		v.Tabs = append(v.Tabs, ApprovalTab{Value: t.value, Label: t.label, Href: "/approvals?status=" + t.value, Active: t.value == tab})
	}
	for _, r := range rs {
		v.Rows = append(v.Rows, NewApprovalItem(r, viewer, now, loc))
	}
	switch tab {
	case TabWaiting:
		v.Empty = "Nothing is waiting for approval."
	case TabOpen:
		v.Empty = "No open requests."
	case TabDecided:
		v.Empty = "No decided requests yet."
	default:
		v.Empty = "No requests yet."
	}
	return v
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
