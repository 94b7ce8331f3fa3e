package omsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"ordercare/internal/omclient"
)

// Error codes the sandbox answers with (the API's error codes on docs.klarna.com). The client package
// has the same strings; they are repeated here so that the sandbox states
// the provider's contract on its own rather than echoing the client's.
const (
	codeNotAllowed        = "NOT_ALLOWED"
	codeCancelNotAllowed  = "CANCEL_NOT_ALLOWED"
	codeCaptureNotAllowed = "CAPTURE_NOT_ALLOWED"
	codeRefundNotAllowed  = "REFUND_NOT_ALLOWED"
	codeNoSuchOrder       = "NO_SUCH_ORDER"
	codeNoSuchCapture     = "NO_SUCH_CAPTURE"
	codeNotFound          = "NOT_FOUND"
	codeInvalidOrderID    = "INVALID_ORDER_ID"
	codeBadValue          = "BAD_VALUE"
	codeConflict          = "CONFLICT"
	codeRequestTooLarge   = "REQUEST_TOO_LARGE"
	codeUnprocessable     = "UNPROCESSABLE_ENTITY"
	codeInvalidAddress    = "INVALID_ADDRESS"
	codeTooManyRequests   = "TOO_MANY_REQUESTS"
	codeInternal          = "INTERNAL_SERVER_ERROR"
	codeUnavailable       = "TEMPORARILY_UNAVAILABLE"
	// codeUnauthorized: the provider documents no code for 401 (the provider's error codes on docs.klarna.com); the
	// sandbox still sends the usual error shape so every error has a
	// correlation id.
	codeUnauthorized     = "UNAUTHORIZED"
	codeMethodNotAllowed = "METHOD_NOT_ALLOWED"
)

// apiError is a refusal: an HTTP status, an error code and its messages.
type apiError struct {
	status   int
	code     string
	messages []string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%d %s %v", e.status, e.code, e.messages)
}

func newErr(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, messages: []string{fmt.Sprintf(format, args...)}}
}

// Shorthands for the common refusals.
func notAllowed(format string, args ...any) *apiError {
	return newErr(http.StatusForbidden, codeNotAllowed, format, args...)
}

func badValue(format string, args ...any) *apiError {
	return newErr(http.StatusBadRequest, codeBadValue, "Bad value: "+format, args...)
}

// response is a complete answer, kept as data so that it can be stored for
// idempotent replay, corrupted or dropped by fault injection, and written in
// one place.
type response struct {
	Status int               `json:"status"`
	Header map[string]string `json:"header,omitempty"`
	Body   []byte            `json:"body,omitempty"`
}

// correlationHeader carries the correlation id on every response.
const correlationHeader = "Klarna-Correlation-Id"

func jsonResponse(status int, v any) response {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types are encoded here; failure is a programming error.
		panic(fmt.Sprintf("omsim: encode response: %v", err))
	}
	return response{Status: status, Header: map[string]string{"Content-Type": "application/json"}, Body: b}
}

func noContent() response { return response{Status: http.StatusNoContent} }

// errorResponse renders e in the provider's error shape with the request's
// correlation id in the body and (when written) the header.
func errorResponse(e *apiError, correlationID string) response {
	r := jsonResponse(e.status, omclient.ErrorBody{ErrorCode: e.code, ErrorMessages: e.messages, CorrelationID: correlationID})
	r.Header[correlationHeader] = correlationID
	return r
}

func (r response) write(w http.ResponseWriter, correlationID string) {
	h := w.Header()
	for k, v := range r.Header {
		h.Set(k, v)
	}
	if h.Get(correlationHeader) == "" {
		h.Set(correlationHeader, correlationID)
	}
	if r.Body != nil {
		h.Set("Content-Length", strconv.Itoa(len(r.Body)))
	}
	w.WriteHeader(r.Status)
	if len(r.Body) > 0 {
		_, _ = w.Write(r.Body) // the client went away; nothing to do
	}
}
