package ucommerce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is a non-2xx answer of the Orders API with its error entries,
// {"errors":[{"error-description":"…","error":"NotFound"}]}. The
// documentation lists 400 (the pipeline failed, or no access token), 401
// (the token expired), 403 (the token lacks access), 404 (no such order or
// payment in this store), 500 (not retryable) and 504 (retryable).
type APIError struct {
	StatusCode   int
	Method, Path string
	Errors       []ErrorEntry
}

// ErrorEntry is one entry of the error answer.
type ErrorEntry struct {
	Description string `json:"error-description"`
	Error       string `json:"error"`
}

func (e *APIError) Error() string {
	return fmt.Sprintf("ucommerce: %s %s: HTTP %d: %s", e.Method, e.Path, e.StatusCode, e.Message())
}

// Message is the platform's own words, for people.
func (e *APIError) Message() string {
	var parts []string
	for _, x := range e.Errors {
		switch {
		case x.Description != "":
			parts = append(parts, x.Description)
		case x.Error != "":
			parts = append(parts, x.Error)
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

// ErrNotConnected: there is no usable refresh token (never connected, the
// stored one was lost, expired or refused). An administrator must connect
// the shop again ("Connect the shop"); nothing else can fix it.
var ErrNotConnected = errors.New("ucommerce: the shop is not connected; an admin must connect it again")

// TokenError: the token endpoint did not give a token for a reason other
// than a dead refresh token (down, slow, client credentials refused).
type TokenError struct {
	StatusCode int // 0 when no answer came
	Err        error
}

func (e *TokenError) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("ucommerce: no access token (HTTP %d): %v", e.StatusCode, e.Err)
	}
	return fmt.Sprintf("ucommerce: no access token: %v", e.Err)
}

func (e *TokenError) Unwrap() error { return e.Err }

// DecodeError: a 2xx answer could not be read, or lacks a required field.
type DecodeError struct {
	Method, Path string
	Err          error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("ucommerce: %s %s: unreadable answer: %v", e.Method, e.Path, e.Err)
}
func (e *DecodeError) Unwrap() error { return e.Err }

// ValidationError: the request was refused before sending.
type ValidationError struct{ Field, Message string }

func (e *ValidationError) Error() string {
	return "ucommerce: invalid " + e.Field + ": " + e.Message
}

func parseErrors(body []byte) []ErrorEntry {
	var env struct {
		Errors []ErrorEntry `json:"errors"`
	}
	if json.Unmarshal(body, &env) != nil {
		return nil
	}
	return env.Errors
}
