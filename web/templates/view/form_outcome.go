package view

// The box above an order-change form that says what became of the last
// submit (form.go).

// Outcome kinds (data-outcome, CSS class).
const (
	OutcomeRefused  = "refused"  // the provider said no; a new key is minted
	OutcomeUnknown  = "unknown"  // may have been applied; same key, safe to resubmit
	OutcomeStale    = "stale"    // the order changed since the form was rendered
	OutcomeFailed   = "failed"   // nothing was sent (connection, re-read failure)
	OutcomeRejected = "rejected" // the form itself was damaged (key, expected)
)

// Outcome is the message box about the last submit.
type Outcome struct {
	Kind    string
	Heading string
	Message string
	// The provider's answer, when there was one.
	Code          string   // "CANCEL_NOT_ALLOWED"
	Messages      []string // the provider's error_messages
	CorrelationID string
	HTTPStatus    int
}
