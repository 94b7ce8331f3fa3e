package omclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrorCode is the provider's error_code of a refused call (the API's
// error codes on docs.klarna.com). Branch on these, never on message text.
type ErrorCode string

// Error codes of the provider.
const (
	CodeNotAllowed        ErrorCode = "NOT_ALLOWED"
	CodeCancelNotAllowed  ErrorCode = "CANCEL_NOT_ALLOWED"
	CodeCaptureNotAllowed ErrorCode = "CAPTURE_NOT_ALLOWED"
	CodeRefundNotAllowed  ErrorCode = "REFUND_NOT_ALLOWED"
	CodeNoSuchOrder       ErrorCode = "NO_SUCH_ORDER"
	CodeNoSuchCapture     ErrorCode = "NO_SUCH_CAPTURE"
	CodeNotFound          ErrorCode = "NOT_FOUND"
	CodeInvalidOrderID    ErrorCode = "INVALID_ORDER_ID"
	CodeBadValue          ErrorCode = "BAD_VALUE"
	CodeConflict          ErrorCode = "CONFLICT"
	CodeRequestTooLarge   ErrorCode = "REQUEST_TOO_LARGE"
	CodeUnprocessable     ErrorCode = "UNPROCESSABLE_ENTITY"
	CodeInvalidAddress    ErrorCode = "INVALID_ADDRESS"
	CodeTooManyRequests   ErrorCode = "TOO_MANY_REQUESTS"
	CodeInternal          ErrorCode = "INTERNAL_SERVER_ERROR"
	CodeUnexpected        ErrorCode = "UNEXPECTED_ERROR"
	CodeUnavailable       ErrorCode = "TEMPORARILY_UNAVAILABLE"
)

// Sentinel errors.
var (
	// ErrOutcomeUnknown: the request may or may not have been applied.
	ErrOutcomeUnknown = errors.New("omclient: outcome unknown")
	// ErrNotSupported: the provider does not offer the operation.
	ErrNotSupported = errors.New("omclient: operation not supported by this provider")
	// ErrNoIdempotencyKey: a mutating call was attempted without a key.
	ErrNoIdempotencyKey = errors.New("omclient: a mutating call needs an idempotency key")
	// ErrMissingResourceID: a 201 named neither Capture-Id/Refund-Id nor Location.
	ErrMissingResourceID = errors.New("omclient: created, but the response names no resource id")
)

// APIError is a non-2xx answer of the provider. It is final: the client
// does not retry it (any more).
type APIError struct {
	StatusCode    int
	ErrorCode     ErrorCode
	ErrorMessages []string
	CorrelationID string
	Method, Path  string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "omclient: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if e.ErrorCode != "" {
		b.WriteString(" " + string(e.ErrorCode))
	}
	if len(e.ErrorMessages) > 0 {
		b.WriteString(": " + strings.Join(e.ErrorMessages, "; "))
	} else if e.ErrorCode == "" {
		b.WriteString(" " + http.StatusText(e.StatusCode))
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation id " + e.CorrelationID + ")")
	}
	return b.String()
}

// IsCode reports whether err is (or wraps) an APIError with the code.
func IsCode(err error, code ErrorCode) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.ErrorCode == code
}

// IsNotFound reports whether err is (or wraps) a 404 of any code.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// OutcomeUnknownError says a mutating call may have been applied: it timed
// out or lost its connection after the request was written, or the retries
// ran out on 5xx/429. Retry later with the same idempotency key to learn
// the outcome without applying the change twice.
type OutcomeUnknownError struct {
	Op  Operation
	Err error // the last failure
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("omclient: %s: outcome unknown, the change may have been applied (retry with the same idempotency key): %v", e.Op, e.Err)
}

// Unwrap exposes the last failure.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrOutcomeUnknown) true.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// FieldError is one invalid field. Field is a JSON path such as
// "captured_amount", "order_lines[2].tax_rate",
// "shipping_address.postal_code" or "order_id".
type FieldError struct {
	Field, Message string
}

func (f FieldError) String() string { return f.Field + ": " + f.Message }

// ValidationError lists the fields that failed local validation; nothing
// was sent.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.String()
	}
	return "omclient: invalid request: " + strings.Join(parts, "; ")
}

// Field returns the first error for the path, if any.
func (e *ValidationError) Field(path string) (FieldError, bool) {
	for _, f := range e.Fields {
		if f.Field == path {
			return f, true
		}
	}
	return FieldError{}, false
}
