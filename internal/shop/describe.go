package shop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	ep "ordercare/internal/shop/elasticpath"
	uc "ordercare/internal/shop/ucommerce"
)

// Problem is what the shop panel says when there is no twin to show.
type Problem struct {
	Kind    string // no-reference, not-found, unreachable, slow, refused-token, refused, unreadable
	Heading string
	Detail  string
}

// Describe turns a Lookup error into words for the panel; it never
// includes secrets (the errors carry none).
func Describe(err error, platform string) Problem {
	var nf *NotFoundError
	var te *ep.TokenError
	var ae *ep.APIError
	var de *ep.DecodeError
	var uce *uc.APIError
	var ucd *uc.DecodeError
	var uct *uc.TokenError
	switch {
	case errors.Is(err, uc.ErrNotConnected):
		return Problem{"not-connected", "The shop is unreachable: not connected", platform + " needs an admin to connect the shop again (the stored authorization was lost, expired or refused). The payment order is shown as usual."}
	case errors.As(err, &uct):
		return Problem{"unreachable", "The shop cannot be reached", platform + " gave no access token: " + uct.Err.Error()}
	case errors.As(err, &uce):
		if uce.StatusCode >= 500 {
			return Problem{"unreachable", "The shop is failing", fmt.Sprintf("%s answered HTTP %d: %s. Try again later.", platform, uce.StatusCode, uce.Message())}
		}
		return Problem{"refused", "The shop refused the read", fmt.Sprintf("%s answered HTTP %d: %s.", platform, uce.StatusCode, uce.Message())}
	case errors.As(err, &ucd):
		return Problem{"unreadable", "The shop's answer could not be read", platform + " sent an order this back office cannot read (" + ucd.Err.Error() + ")."}
	case errors.Is(err, ErrNoReference):
		return Problem{"no-reference", "No shop order named", "This payment order's merchant references name no order in " + platform + ". The payment order is shown as usual."}
	case errors.As(err, &nf):
		return Problem{"not-found", "Not found in the shop", platform + " has no order under " + strings.Join(nf.Tried, ", then ") + "."}
	case errors.Is(err, context.DeadlineExceeded):
		return Problem{"slow", "The shop is slow", platform + " did not answer in time. Reload the page to try again; the payment order is not affected."}
	case errors.As(err, &te):
		if te.StatusCode == http.StatusUnauthorized || te.StatusCode == http.StatusBadRequest {
			return Problem{"refused-token", "The shop refused our credentials", platform + " did not accept the configured client id and secret (HTTP " + fmt.Sprint(te.StatusCode) + "). An admin must check ORDERCARE_SHOP_CLIENT_ID and ORDERCARE_SHOP_CLIENT_SECRET."}
		}
		return Problem{"unreachable", "The shop cannot be reached", platform + " gave no access token: " + te.Err.Error()}
	case errors.As(err, &ae):
		if ae.StatusCode >= 500 {
			return Problem{"unreachable", "The shop is failing", fmt.Sprintf("%s answered HTTP %d: %s. Try again later.", platform, ae.StatusCode, ae.Message())}
		}
		return Problem{"refused", "The shop refused the read", fmt.Sprintf("%s answered HTTP %d: %s.", platform, ae.StatusCode, ae.Message())}
	case errors.As(err, &de):
		return Problem{"unreadable", "The shop's answer could not be read", platform + " sent an order this back office cannot read (" + de.Err.Error() + ")."}
	}
	return Problem{"unreachable", "The shop cannot be reached", platform + " did not answer: " + err.Error()}
}
