package orders

import (
	"errors"
	"fmt"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// Change is one change an agent asks for: the operation, its target, the
// request body and why. It goes through Service.Apply, the one door to the
// provider.
type Change struct {
	Op        omclient.Operation
	OrderID   string
	CaptureID string // for capture-scoped operations
	// IdempotencyKey comes from the rendered form, so that a double submit
	// or a retry after a timeout reuses it and the provider applies the
	// change once.
	IdempotencyKey string
	Reason, Ticket string
	// Body is the request for Op (its type names the operation, and a
	// request of another operation is refused); nil stands for the empty
	// request of a body-less operation (cancel, acknowledge, ...).
	Body omclient.Request
	// Expected is the order as the form showed it; nil skips the staleness
	// check.
	Expected *Fingerprint
	// ProviderDecides skips the pipeline's own check of the amounts against
	// the order (checkState) and lets the provider answer: an approved
	// four-eyes request is sent as approved, and when the order no longer
	// allows it the provider's refusal closes the request, on record.
	ProviderDecides bool
	// Detail is added to the attempt's audit details (an approval's id and
	// requester).
	Detail map[string]string
	// ApprovalID names the approved four-eyes request this change carries
	// out; the guard (SetGuard) does not hold it again, nor does the
	// intent check ask again for the confirmation given when approving.
	ApprovalID string
	// Confirm is the agent's confirmation of a change of the same kind and
	// amount as a recent one (TwinError.Token, from the form); "" when
	// none was given.
	Confirm string
}

// request returns the change's request, checked against Op.
func (ch Change) request() (omclient.Request, error) {
	if ch.Body == nil {
		return omclient.EmptyRequest(ch.Op)
	}
	if ch.Body.Op() != ch.Op {
		return nil, fmt.Errorf("orders: a %s request for a %s change", ch.Body.Op(), ch.Op)
	}
	return ch.Body, nil
}

// HeldError: the guard holds the change for a second person's approval
// (package approvals); nothing was sent or recorded as sent. Why says
// which rule holds it.
type HeldError struct{ Why string }

func (e *HeldError) Error() string { return "orders: held for approval: " + e.Why }

// Fingerprint is what a change form relies on about the order: if any of
// it changed since the form was rendered (a capture in another tab, say),
// the form is stale and nothing is sent.
type Fingerprint struct {
	Status         omclient.Status
	OrderAmount    int64
	CapturedAmount int64
	RefundedAmount int64
	Captures       int
	Refunds        int
}

// FingerprintOf returns the order's fingerprint, to render into a form.
func FingerprintOf(o *omclient.Order) Fingerprint {
	return Fingerprint{
		Status: o.Status, OrderAmount: o.OrderAmount, CapturedAmount: o.CapturedAmount,
		RefundedAmount: o.RefundedAmount, Captures: len(o.Captures), Refunds: len(o.Refunds),
	}
}

// Result is what happened to an applied change.
type Result struct {
	AttemptID  string
	Outcome    audit.Outcome
	HTTPStatus int
	// ResourceID is the new capture or refund id.
	ResourceID    string
	CorrelationID string
	// Order is the order as read after the call (nil if that read failed).
	Order *omclient.Order
	// APIErr is the provider's error for display (*omclient.APIError,
	// *omclient.OutcomeUnknownError or a transport error); nil on success.
	APIErr error
	// Before and After are the values the change touched.
	Before, After map[string]string
	// Replayed is true when the idempotency key had already been answered
	// (a double submit): the earlier attempt's result is returned and
	// nothing was sent again.
	Replayed bool
}

// ErrStale: the order changed since the form was rendered; nothing was sent.
var ErrStale = errors.New("orders: the order changed since the form was shown")

// StaleError carries the fresh order so the form can be shown again.
type StaleError struct {
	Expected, Actual Fingerprint
	Order            *omclient.Order
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("orders: order %s changed since the form was shown (was %+v, now %+v); nothing was sent",
		e.Order.OrderID, e.Expected, e.Actual)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// ErrKeyReused: the idempotency key was already used for a different
// request. The provider compares only the key, not the body, so sending
// would silently repeat the first answer; nothing was sent.
var ErrKeyReused = errors.New("orders: idempotency key already used for a different change")

// ErrAudit: the audit log could not record the change; when it is the
// `requested` event, nothing was sent (fail closed).
var ErrAudit = errors.New("orders: audit log unavailable")
