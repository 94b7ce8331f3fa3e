// Package audit is ordercare's append-only audit log: every change an agent
// makes to an order is recorded as a `requested` event (committed before the
// provider is called) and a `completed` event sharing its attempt id, next to
// staff sign-ins and administrative actions. The log lives in its own SQLite
// file (synchronous=FULL), refuses UPDATE and DELETE by triggers, and chains
// every event to the previous one with SHA-256 so that an edit of the file is
// found by Verify (see canonical.go for the exact encoding).
package audit

import (
	"encoding/json"
	"time"
)

// Actor is who caused an event: a signed-in staff member, or the system
// (StaffID 0) for events ordercare records on its own, such as recovery.
type Actor struct {
	StaffID   int64
	Email     string
	Role      string
	ClientIP  string
	UserAgent string
}

// Kind names what an event records.
type Kind string

const (
	KindRequested    Kind = "requested"     // an order change, before the provider is called
	KindCompleted    Kind = "completed"     // its outcome
	KindSignIn       Kind = "signin"        // a staff member signed in
	KindSignInFailed Kind = "signin_failed" // a failed sign-in
	KindSignOut      Kind = "signout"       // a staff member signed out
	KindLockout      Kind = "lockout"       // an account or address was locked after failures
	// KindReview: a supervisor marked an attempt reviewed or flagged
	// (Detail["review"], the comment in Reason). Never an edit of the attempt.
	KindReview Kind = "review"
	// KindReconciled: what the provider showed for an attempt's order when
	// someone checked it (Detail holds the order's status and amounts).
	KindReconciled Kind = "reconciled"
	// KindExport: someone exported the audit trail (Detail holds the filters).
	KindExport Kind = "export"
	// KindVerify: someone verified the hash chain (Detail holds the result).
	KindVerify Kind = "verify"
	// KindStaff: an admin changed a staff account (Detail: "target_id",
	// "target_email", "change", and old/new values).
	KindStaff Kind = "staff"
	// KindApproval: a step of a four-eyes approval request (package
	// approvals): Detail["step"] is requested, approved, rejected,
	// withdrawn, expired or executed, Detail["approval_id"] names the
	// request; Reason holds the agent's reason (requested) or the
	// decider's comment; an executed step carries the outcome of the
	// attempt that sent it (Detail["attempt_id"]).
	KindApproval Kind = "approval"
	// KindAcknowledged: an admin acknowledged that the log no longer
	// matches its newest signed checkpoint, as after a restore from a
	// backup (`admin audit acknowledge`, acknowledge.go): Detail says which
	// signed events are lost, Reason holds the admin's reason. The
	// checkpoint signed right after it covers it.
	KindAcknowledged Kind = "acknowledged"
)

// needsAttempt reports whether events of kind k belong to an attempt.
func (k Kind) needsAttempt() bool {
	switch k {
	case KindRequested, KindCompleted, KindReview, KindReconciled:
		return true
	}
	return false
}

// Outcome of a completed attempt.
type Outcome string

const (
	// OutcomeSucceeded: the provider answered 2xx.
	OutcomeSucceeded Outcome = "succeeded"
	// OutcomeRefused: the provider answered with a final 4xx; nothing changed.
	OutcomeRefused Outcome = "refused"
	// OutcomeFailed: the request never reached the provider; nothing changed.
	OutcomeFailed Outcome = "failed"
	// OutcomeUnknown: the request may have been applied (timeout after
	// sending, retries exhausted, or the admin stopped between the events).
	OutcomeUnknown Outcome = "unknown"
)

// Event is one row of the audit log. Seq, PrevHash and Hash are assigned by
// Append; Time too when left zero.
type Event struct {
	Seq       int64
	Time      time.Time
	Kind      Kind
	AttemptID string
	Actor     Actor

	OrderID, Action, Reason, Ticket, IdempotencyKey string

	// Request is the request body exactly as sent to the provider.
	Request json.RawMessage
	// Before and After hold the values the change touches, e.g.
	// "shipping_address.city": "Berlin" -> "Hamburg".
	Before, After map[string]string

	Outcome       Outcome
	HTTPStatus    int
	ErrorCode     string
	ErrorMessages []string
	CorrelationID string
	// ResourceID is the capture or refund id the provider returned.
	ResourceID string
	DurationMS int64

	// Detail holds anything else (the target staff member of an admin action,
	// why an attempt was recovered, ...).
	Detail map[string]string

	PrevHash, Hash string
	// Instance is the instance that wrote the event (ORDERCARE_INSTANCE),
	// set by the Log, not by callers; empty for events written before
	// instances were recorded, and by commands run by hand.
	Instance string
}

// Attempt is one order change: its requested event and, once known, its
// completed event.
type Attempt struct {
	AttemptID string
	Requested Event
	Completed *Event
}

// Outcome is the attempt's outcome, or "" while it is still open.
func (a Attempt) Outcome() Outcome {
	if a.Completed == nil {
		return ""
	}
	return a.Completed.Outcome
}

// VerifyResult is the result of walking the hash chain.
type VerifyResult struct {
	// Events is the number of events in the log.
	Events int64
	// OK is true when every event's seq, prev_hash and hash match.
	OK bool
	// FirstBad is the seq of the first event that does not match (0 when OK).
	FirstBad int64
	// Reason says what did not match.
	Reason string
}
