package approvals

import (
	"encoding/json"
	"errors"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// Status is where a request stands.
type Status string

const (
	// StatusPending: waiting for a supervisor.
	StatusPending Status = "pending"
	// StatusApproved: approved and being sent. A request left here (the
	// admin stopped while sending) may be sent again: same key.
	StatusApproved Status = "approved"
	// StatusExecuted: approved and applied by the provider. Final.
	StatusExecuted Status = "executed"
	// StatusFailed: approved, and the provider refused it (the order had
	// changed: already refunded, captured elsewhere). Final.
	StatusFailed Status = "failed"
	// StatusUnknown: approved and sent, but the outcome is unknown (or the
	// provider could not be reached); a supervisor may send it again with
	// the same key, which cannot apply it twice.
	StatusUnknown Status = "unknown"
	// StatusRejected, StatusWithdrawn, StatusExpired: closed, nothing sent.
	StatusRejected  Status = "rejected"
	StatusWithdrawn Status = "withdrawn"
	StatusExpired   Status = "expired"
)

// Open reports whether the request still needs someone: waiting for a
// decision, or approved but not settled.
func (s Status) Open() bool {
	return s == StatusPending || s == StatusApproved || s == StatusUnknown
}

// Resendable reports whether an approved request may be sent again.
func (s Status) Resendable() bool { return s == StatusApproved || s == StatusUnknown }

// Person is a staff member as recorded on a request.
type Person struct {
	StaffID int64
	Email   string
	Role    string
}

func personOf(a audit.Actor) Person { return Person{StaffID: a.StaffID, Email: a.Email, Role: a.Role} }

// Request is one change waiting for, or decided by, a second person.
type Request struct {
	ID        string
	CreatedAt time.Time
	ExpiresAt time.Time
	OrderID   string
	// OrderRef is the provider's short reference of the order, for lists.
	OrderRef string
	Op       omclient.Operation // create_refund, cancel, release_remaining_authorization or update_authorization
	Currency string
	// Amount is the refund's amount, the cancelled order's amount, the
	// remaining authorization released, or an amount change's new amount.
	Amount int64
	// IdempotencyKey was made when the agent's form was rendered; the
	// approved change is sent with it.
	IdempotencyKey string
	// Body is the request body as the agent's form built it (refunds).
	Body json.RawMessage
	// Reason and Ticket are the agent's.
	Reason, Ticket string
	// Shop is the shop's half when the agent asked for the change in
	// both systems: approving sends it after the payment change.
	Shop *orders.ShopHalf
	// Why says which rule asked for approval.
	Why         string
	RequestedBy Person
	Status      Status
	// DecidedBy, DecidedAt and Comment: who approved, rejected or
	// withdrew it (expiry: nobody), when, and what they wrote.
	DecidedBy Person
	DecidedAt time.Time
	Comment   string
	// AttemptID is the pipeline attempt that sent the approved change;
	// ResourceID the refund id the provider returned; ErrorCode and
	// Message the provider's answer when it refused.
	AttemptID, ResourceID, ErrorCode, Message string
}

// Errors of the decisions. ApproveConfirmed, Reject and Withdraw return
// the request as it now is beside ErrNotPending, so the page can say who
// decided.
var (
	ErrNotFound = errors.New("approvals: no such request")
	// ErrOwnRequest: nobody approves or rejects their own request.
	ErrOwnRequest = errors.New("approvals: nobody may decide their own request")
	// ErrNotRequester: only the requester may withdraw a request.
	ErrNotRequester = errors.New("approvals: only the requester may withdraw a request")
	// ErrNotPending: the request was already decided, withdrawn or expired.
	ErrNotPending = errors.New("approvals: the request is no longer pending")
	// ErrCommentRequired: a decision needs a comment.
	ErrCommentRequired = errors.New("approvals: a comment is required")
	// ErrNotApprover: only supervisors and admins decide requests.
	ErrNotApprover = errors.New("approvals: only supervisors and admins may decide requests")
	// ErrManagedByRequester: the requester recently created the decider's
	// account, changed their role or reset their password (ManagedError
	// says which), so the decider may be the requester's puppet.
	ErrManagedByRequester = errors.New("approvals: the requester recently managed the decider's account")
)

// MaxComment bounds a decision's comment.
const MaxComment = 500
