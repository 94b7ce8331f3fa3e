package omclient

import (
	"context"
	"errors"
	"net"
	"net/http"
)

// FailureKind is what went wrong with a call, so that a page can say it in
// words and answer with the right status without taking the error apart
// itself.
type FailureKind string

// Kinds of failure.
const (
	FailureNotFound    FailureKind = "not_found"    // 404, or NO_SUCH_ORDER
	FailureInvalidID   FailureKind = "invalid_id"   // INVALID_ORDER_ID
	FailureCredentials FailureKind = "credentials"  // 401 or 403: the API credentials are wrong
	FailureRateLimited FailureKind = "rate_limited" // 429
	FailureUnavailable FailureKind = "unavailable"  // 5xx, also after retrying
	FailureRefused     FailureKind = "refused"      // any other answer
	FailureTimeout     FailureKind = "timeout"      // no answer in time
	FailureUnreachable FailureKind = "unreachable"  // no answer at all
)

// Failure is a failed call sorted by FailureOf, with what the provider
// said when it answered.
type Failure struct {
	Kind FailureKind
	// The provider's answer; zero when it never answered (timeout,
	// unreachable).
	StatusCode    int
	ErrorCode     ErrorCode
	Messages      []string
	CorrelationID string
}

// Answered reports whether the provider answered the call.
func (f Failure) Answered() bool { return f.Kind != FailureTimeout && f.Kind != FailureUnreachable }

// FailureOf sorts err, the failure of a call: the provider's answer first
// (an APIError, wrapped or not), then a timeout (the context's deadline or
// the network's), else no answer at all.
func FailureOf(err error) Failure {
	var ae *APIError
	if errors.As(err, &ae) {
		f := Failure{StatusCode: ae.StatusCode, ErrorCode: ae.ErrorCode, Messages: ae.ErrorMessages, CorrelationID: ae.CorrelationID}
		switch {
		case ae.StatusCode == http.StatusNotFound || ae.ErrorCode == CodeNoSuchOrder:
			f.Kind = FailureNotFound
		case ae.ErrorCode == CodeInvalidOrderID:
			f.Kind = FailureInvalidID
		case ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden:
			f.Kind = FailureCredentials
		case ae.StatusCode == http.StatusTooManyRequests:
			f.Kind = FailureRateLimited
		case ae.StatusCode >= 500:
			f.Kind = FailureUnavailable
		default:
			f.Kind = FailureRefused
		}
		return f
	}
	if isTimeout(err) {
		return Failure{Kind: FailureTimeout}
	}
	return Failure{Kind: FailureUnreachable}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
