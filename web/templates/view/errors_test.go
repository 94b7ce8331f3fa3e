package view

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"ordercare/internal/omclient"
)

func TestFromProviderError(t *testing.T) {
	t.Parallel()
	id := "0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c11"
	tests := []struct {
		name    string
		err     error
		kind    string
		status  int
		message string
		code    string
	}{
		{"unknown order", &omclient.APIError{StatusCode: 404, ErrorCode: "NO_SUCH_ORDER", CorrelationID: "corr-1"},
			ErrKindNotFound, 404, "No order " + id + " at Kustom.", "NO_SUCH_ORDER"},
		{"bad credentials", fmt.Errorf("wrapped: %w", &omclient.APIError{StatusCode: 401}),
			ErrKindCredentials, 502, "", "HTTP 401"},
		{"outage after retries", fmt.Errorf("after 4 tries, nothing was applied: %w", &omclient.APIError{StatusCode: 503, ErrorCode: "TEMPORARILY_UNAVAILABLE", CorrelationID: "corr-2"}),
			ErrKindUnavailable, 502, "", "TEMPORARILY_UNAVAILABLE"},
		{"timeout", fmt.Errorf("omclient: GET x: %w", context.DeadlineExceeded), ErrKindTimeout, 504, "", "TIMEOUT"},
		{"connection refused", errors.New("dial tcp: connection refused"), ErrKindUnreachable, 502, "", "NO_CONNECTION"},
		{"rate limited", &omclient.APIError{StatusCode: 429, ErrorCode: "TOO_MANY_REQUESTS"}, ErrKindRateLimited, 503, "", "TOO_MANY_REQUESTS"},
	}
	for _, tt := range tests {
		v := FromProviderError(omclient.FailureOf(tt.err), id, omclient.ProviderKustom)
		if v.Kind != tt.kind || v.Status != tt.status || v.Code != tt.code {
			t.Errorf("%s: kind %q status %d code %q, want %q %d %q", tt.name, v.Kind, v.Status, v.Code, tt.kind, tt.status, tt.code)
		}
		if tt.message != "" && v.Message != tt.message {
			t.Errorf("%s: message %q, want %q", tt.name, v.Message, tt.message)
		}
		if v.Heading == "" || v.Message == "" {
			t.Errorf("%s: empty heading or message: %+v", tt.name, v)
		}
		var ae *omclient.APIError
		if errors.As(tt.err, &ae) && v.CorrelationID != ae.CorrelationID {
			t.Errorf("%s: correlation id %q, want %q", tt.name, v.CorrelationID, ae.CorrelationID)
		}
		if v.Status < http.StatusBadRequest {
			t.Errorf("%s: status %d is not an error", tt.name, v.Status)
		}
	}
}
