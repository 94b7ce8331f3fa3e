package view

import (
	"net/http"
	"strconv"
	"strings"

	"ordercare/internal/omclient"
)

// Kinds of provider error, for data-kind and tests.
const (
	ErrKindNotFound    = "not_found"
	ErrKindCredentials = "credentials"
	ErrKindRateLimited = "rate_limited"
	ErrKindUnavailable = "unavailable"
	ErrKindTimeout     = "timeout"
	ErrKindUnreachable = "unreachable"
	ErrKindRefused     = "refused"
)

// ProviderErrorView is a failed read from the provider, said so an agent
// knows what happened and support can trace it: the provider's error code
// and correlation id are always shown when the provider sent them.
type ProviderErrorView struct {
	Kind          string
	Heading       string
	Message       string
	Code          string // "NO_SUCH_ORDER", or "HTTP 503" when the provider sent no code
	CorrelationID string
	OrderID       string
	// Status is the HTTP status the back office answers with: 404 for an
	// unknown order, 502/504 when the provider failed.
	Status int
}

// FromProviderError says f, the failure of reading order orderID from
// provider p, as the handler sorted it (omclient.FailureOf).
func FromProviderError(f omclient.Failure, orderID string, p omclient.Provider) ProviderErrorView {
	name := ProviderName(p)
	v := ProviderErrorView{OrderID: orderID}
	if f.Answered() {
		v.CorrelationID = f.CorrelationID
		v.Code = string(f.ErrorCode)
		if v.Code == "" {
			v.Code = "HTTP " + strconv.Itoa(f.StatusCode)
		}
	}
	switch f.Kind {
	case omclient.FailureNotFound:
		v.Kind, v.Status = ErrKindNotFound, http.StatusNotFound
		v.Heading = "Order not found"
		v.Message = "No order " + orderID + " at " + name + "."
	case omclient.FailureInvalidID:
		v.Kind, v.Status = ErrKindNotFound, http.StatusNotFound
		v.Heading = "Not an order id"
		v.Message = name + " says " + orderID + " is not a valid order id."
	case omclient.FailureCredentials:
		v.Kind, v.Status = ErrKindCredentials, http.StatusBadGateway
		v.Heading = name + " refused the back office's credentials"
		v.Message = name + " answered " + strconv.Itoa(f.StatusCode) + " " + http.StatusText(f.StatusCode) +
			": the API username or password is wrong, or belongs to another environment or region. An administrator must correct the credentials."
	case omclient.FailureRateLimited:
		v.Kind, v.Status = ErrKindRateLimited, http.StatusServiceUnavailable
		v.Heading = name + " is limiting requests"
		v.Message = name + " asked the back office to slow down. Try again in a minute."
	case omclient.FailureUnavailable:
		v.Kind, v.Status = ErrKindUnavailable, http.StatusBadGateway
		v.Heading = "The provider did not answer"
		v.Message = name + " had a problem (" + strconv.Itoa(f.StatusCode) + " " + http.StatusText(f.StatusCode) +
			") and did not return the order, also after retrying. Try again in a minute."
	case omclient.FailureRefused:
		v.Kind, v.Status = ErrKindRefused, http.StatusBadGateway
		v.Heading = name + " refused the request"
		v.Message = name + " answered " + strconv.Itoa(f.StatusCode) + " " + http.StatusText(f.StatusCode)
		if len(f.Messages) > 0 {
			v.Message += ": " + strings.Join(f.Messages, " ")
		} else {
			v.Message += "."
		}
	case omclient.FailureTimeout:
		v.Kind, v.Status = ErrKindTimeout, http.StatusGatewayTimeout
		v.Code = "TIMEOUT"
		v.Heading = "The provider did not answer"
		v.Message = name + " did not answer in time, so the order could not be shown. Nothing was changed; try again in a minute."
	default:
		v.Kind, v.Status = ErrKindUnreachable, http.StatusBadGateway
		v.Code = "NO_CONNECTION"
		v.Heading = "The provider did not answer"
		v.Message = "The back office could not reach " + name + ", so the order could not be shown. Try again in a minute; if it persists, the connection to the provider needs checking."
	}
	return v
}
