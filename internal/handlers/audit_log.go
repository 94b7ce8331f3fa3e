package handlers

import (
	"context"
	"io"

	"ordercare/internal/audit"
)

// AuditLog is what the handlers do with the audit log: record what staff
// did, and read the trail for the audit pages. The app passes
// *audit.Log; the handlers never reach its store.
type AuditLog interface {
	AuditReader
	// Append records one event (a sign-in, a staff change, a note).
	Append(ctx context.Context, e audit.Event) (audit.Event, error)
	// Review and Reconciled record a reviewer's verdict on an attempt.
	Review(ctx context.Context, actor audit.Actor, attemptID string, status audit.ReviewStatus, comment string) (audit.Event, error)
	Reconciled(ctx context.Context, actor audit.Actor, attemptID string, observed map[string]string) (audit.Event, error)
	// StartVerification starts a check of the whole chain in the
	// background; false when one is already running.
	StartVerification(actor audit.Actor) bool
	// ExportCSVWith writes the attempts of a filter as CSV and records
	// who exported them.
	ExportCSVWith(ctx context.Context, w io.Writer, actor audit.Actor, f audit.Filter, opts audit.ExportOptions) (int64, error)
	// Writable says whether an event could be recorded now (/readyz),
	// without recording one.
	Writable(ctx context.Context) error
}

// AuditReader reads the trail: an order's attempts, approvals, notes and
// settlements, the audit pages' lists, and the chain's state.
type AuditReader interface {
	Attempt(ctx context.Context, attemptID string) (audit.Attempt, error)
	AttemptRowByID(ctx context.Context, attemptID string) (audit.AttemptRow, error)
	AttemptsByKey(ctx context.Context, idempotencyKey string) ([]audit.Attempt, error)
	Attempts(ctx context.Context, f audit.Filter, cursor audit.Cursor) (audit.AttemptPage, error)
	Count(ctx context.Context, f audit.Filter) (int64, error)
	Approvals(ctx context.Context, rows []audit.AttemptRow) (map[string]audit.Approval, error)
	Reviews(ctx context.Context, attemptID string) ([]audit.Event, error)
	ProveAttempt(ctx context.Context, attemptID string) ([]audit.InclusionProof, error)
	ToReview(ctx context.Context, cursor audit.Cursor, opts audit.ReviewOptions) (audit.ReviewQueue, error)
	PendingReviews(ctx context.Context) (int64, error)
	OtherEvents(ctx context.Context, kind audit.Kind, cursor audit.Cursor) (audit.EventPage, error)
	OrderAttempts(ctx context.Context, orderID string) ([]audit.Attempt, error)
	OrderSettlements(ctx context.Context, orderID string) (map[string]audit.Settlement, error)
	ApprovalEvents(ctx context.Context, orderID string) ([]audit.Event, error)
	NoteEvents(ctx context.Context, orderID string) ([]audit.Event, error)
	OrdersWithUnknownOutcome(ctx context.Context) ([]string, error)
	VerificationStatus(ctx context.Context) (audit.VerificationStatus, error)
	CheckpointStatus() audit.CheckpointStatus
}

var _ AuditLog = (*audit.Log)(nil)
