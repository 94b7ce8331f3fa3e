package view

import (
	"context"
	"errors"
	"net"
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

// FromProviderError describes err, the failure of reading order orderID
// from provider p.
func FromProviderError(err error, orderID string, p omclient.Provider) ProviderErrorView {
	name := ProviderName(p)
	v := ProviderErrorView{OrderID: orderID}
	var ae *omclient.APIError
	switch {
	case errors.As(err, &ae):
		v.CorrelationID = ae.CorrelationID
		v.Code = string(ae.ErrorCode)
		if v.Code == "" {
			v.Code = "HTTP " + strconv.Itoa(ae.StatusCode)
		}
		switch {
		case ae.StatusCode == http.StatusNotFound || ae.ErrorCode == omclient.CodeNoSuchOrder:
			v.Kind, v.Status = ErrKindNotFound, http.StatusNotFound
			v.Heading = "Order not found"
			v.Message = "No order " + orderID + " at " + name + "."
		case ae.ErrorCode == omclient.CodeInvalidOrderID:
			v.Kind, v.Status = ErrKindNotFound, http.StatusNotFound
			v.Heading = "Not an order id"
			v.Message = name + " says " + orderID + " is not a valid order id."
		case ae.StatusCode == http.StatusUnauthorized || ae.StatusCode == http.StatusForbidden:
			v.Kind, v.Status = ErrKindCredentials, http.StatusBadGateway
			v.Heading = name + " refused the back office's credentials"
			v.Message = name + " answered " + strconv.Itoa(ae.StatusCode) + " " + http.StatusText(ae.StatusCode) +
				": the API username or password is wrong, or belongs to another environment or region. An administrator must correct the credentials."
		case ae.StatusCode == http.StatusTooManyRequests:
			v.Kind, v.Status = ErrKindRateLimited, http.StatusServiceUnavailable
			v.Heading = name + " is limiting requests"
			v.Message = name + " asked the back office to slow down. Try again in a minute."
		case ae.StatusCode >= 500:
			v.Kind, v.Status = ErrKindUnavailable, http.StatusBadGateway
			v.Heading = "The provider did not answer"
			v.Message = name + " had a problem (" + strconv.Itoa(ae.StatusCode) + " " + http.StatusText(ae.StatusCode) +
				") and did not return the order, also after retrying. Try again in a minute."
		default:
			v.Kind, v.Status = ErrKindRefused, http.StatusBadGateway
			v.Heading = name + " refused the request"
			v.Message = name + " answered " + strconv.Itoa(ae.StatusCode) + " " + http.StatusText(ae.StatusCode)
			if len(ae.ErrorMessages) > 0 {
				v.Message += ": " + strings.Join(ae.ErrorMessages, " ")
			} else {
				v.Message += "."
			}
		}
	case isTimeout(err):
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

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
