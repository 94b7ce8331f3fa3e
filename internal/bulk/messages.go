package bulk

import (
	"errors"
	"strconv"
	"strings"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// notSent says why the pipeline stopped an order's change before sending
// it, in the words the order page's forms use.
func notSent(err error) string {
	var twin *orders.TwinError
	var unsettled *orders.UnsettledError
	var ve *omclient.ValidationError
	switch {
	case errors.As(err, &twin):
		return "Not sent: the same change was made on this order recently; make it from the order page if it is meant."
	case errors.As(err, &unsettled):
		return "Not sent: an earlier change on this order has an unknown outcome; check it on the order page first."
	case errors.As(err, &ve):
		var parts []string
		for _, f := range ve.Fields {
			parts = append(parts, f.Field+" "+f.Message)
		}
		return "Not sent: " + strings.Join(parts, "; ") + "."
	case errors.Is(err, orders.ErrKeyReused):
		return "Not sent: this job's key was already used for another change on this order."
	case errors.Is(err, orders.ErrAudit):
		return "Not sent: the audit log is unavailable, and no change is sent without being recorded first."
	}
	return "Not sent: the order could not be checked with the provider before sending."
}

// providerError is the provider's answer in a few words: its error code
// and messages, or the HTTP status.
func providerError(err error) string {
	var ae *omclient.APIError
	switch {
	case omclient.IsNotFound(err):
		return "the order was not found"
	case !errors.As(err, &ae):
		return "no answer"
	}
	s := string(ae.ErrorCode)
	if s == "" {
		s = "HTTP " + strconv.Itoa(ae.StatusCode)
	}
	if len(ae.ErrorMessages) > 0 {
		s += ": " + strings.Join(ae.ErrorMessages, "; ")
	}
	return s
}
