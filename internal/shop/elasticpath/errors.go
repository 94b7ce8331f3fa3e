package elasticpath

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrOutcomeUnknown: an update may or may not have been applied (the answer
// was lost or the platform failed mid-way). Read the order to learn.
var ErrOutcomeUnknown = errors.New("elasticpath: outcome unknown")

// APIError is a non-2xx answer of the platform, with its error entries.
type APIError struct {
	StatusCode   int
	Method, Path string
	Errors       []ErrorEntry
}

// ErrorEntry is one entry of the platform's {"errors": [...]} answer.
type ErrorEntry struct {
	Status string `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "elasticpath: %s %s: HTTP %d", e.Method, e.Path, e.StatusCode)
	if msg := e.Message(); msg != "" {
		b.WriteString(": " + msg)
	}
	return b.String()
}

// Message is the platform's own words (titles and details), for people.
func (e *APIError) Message() string {
	var parts []string
	for _, x := range e.Errors {
		switch {
		case x.Detail != "" && x.Title != "":
			parts = append(parts, x.Title+": "+x.Detail)
		case x.Detail != "":
			parts = append(parts, x.Detail)
		case x.Title != "":
			parts = append(parts, x.Title)
		}
	}
	if len(parts) == 0 {
		return http.StatusText(e.StatusCode)
	}
	return strings.Join(parts, "; ")
}

// IsNotFound reports whether err is a 404 of the platform.
func IsNotFound(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound
}

// IsRefused reports whether err is a 4xx refusal of an update by the
// platform's rules (nothing was applied).
func IsRefused(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode >= 400 && ae.StatusCode < 500
}

// TokenError says the platform did not give the client a token: wrong
// client id or secret, or the token endpoint failed.
type TokenError struct {
	StatusCode int // 0 when no answer came
	Err        error
}

func (e *TokenError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("elasticpath: no access token (HTTP %d): %v", e.StatusCode, e.Err)
	}
	return fmt.Sprintf("elasticpath: no access token: %v", e.Err)
}

func (e *TokenError) Unwrap() error { return e.Err }

// OutcomeUnknownError wraps the failure after which an update may have
// been applied.
type OutcomeUnknownError struct{ Err error }

func (e *OutcomeUnknownError) Error() string {
	return "elasticpath: the update may have been applied (read the order to know): " + e.Err.Error()
}
func (e *OutcomeUnknownError) Unwrap() error        { return e.Err }
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// DecodeError says a 2xx answer could not be read: malformed JSON or a
// required field missing.
type DecodeError struct {
	Method, Path string
	Err          error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("elasticpath: %s %s: unreadable answer: %v", e.Method, e.Path, e.Err)
}
func (e *DecodeError) Unwrap() error { return e.Err }

// parseErrors reads {"errors": [...]} and also the single-object form
// {"errors": {...}} that the document's 401 examples show; status may be a
// string (the authentication document's schema) or a number (its
// examples).
func parseErrors(body []byte) []ErrorEntry {
	var env struct {
		Errors json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil || len(env.Errors) == 0 {
		return nil
	}
	type loose struct {
		Status json.RawMessage `json:"status"`
		Title  string          `json:"title"`
		Detail string          `json:"detail"`
	}
	var list []loose
	if json.Unmarshal(env.Errors, &list) != nil {
		var one loose
		if json.Unmarshal(env.Errors, &one) != nil {
			return nil
		}
		list = []loose{one}
	}
	out := make([]ErrorEntry, 0, len(list))
	for _, l := range list {
		out = append(out, ErrorEntry{Status: strings.Trim(string(l.Status), `"`), Title: l.Title, Detail: l.Detail})
	}
	return out
}
