package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/sso"
)

// ssoIdentity checks the callback against the flow and asks the provider
// who signed in; a refusal says why not, an error is the server's own.
func (h *Handlers) ssoIdentity(c echo.Context, f sso.Flow) (*sso.Identity, *ssoRefusal, error) {
	name := h.SSO.Name()
	if err := h.SSO.CheckState(f, c.QueryParam("state")); err != nil {
		return nil, &ssoRefusal{"sso_state", http.StatusBadRequest,
			"This answer from " + name + " does not belong to a sign-in started in this browser, or it took longer than " +
				strconv.Itoa(int(sso.FlowLifetime.Minutes())) + " minutes. Start again."}, nil
	}
	if e := c.QueryParam("error"); e != "" {
		return nil, &ssoRefusal{"sso_provider_refused", http.StatusUnauthorized,
			name + " did not sign you in (" + truncate(e, 64) + "). Start again, or sign in with your password."}, nil
	}
	id, err := h.SSO.Finish(c.Request().Context(), f, c.QueryParam("code"), h.ssoRedirect(c))
	switch {
	case errors.Is(err, sso.ErrNonce):
		return nil, &ssoRefusal{"sso_nonce", http.StatusBadRequest, name + "'s answer was issued for another sign-in. Start again."}, nil
	case errors.Is(err, sso.ErrToken):
		h.Log.Warn("single sign-on: invalid ID token", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return nil, &ssoRefusal{"sso_token", http.StatusBadRequest, name + "'s answer could not be verified. Start again; if it happens again, tell whoever runs the back office."}, nil
	case errors.Is(err, sso.ErrProvider):
		h.Log.Warn("single sign-on: provider failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return nil, &ssoRefusal{"sso_provider", http.StatusBadGateway, name + " did not complete the sign-in. Start again, or sign in with your password."}, nil
	case err != nil:
		return nil, nil, err
	}
	switch {
	case id.Email == "" || !id.EmailVerified:
		return id, &ssoRefusal{"sso_email_unverified", http.StatusForbidden,
			name + " has not verified your e-mail address, so it cannot sign you in here. Verify it there and start again."}, nil
	case id.Role == "":
		return id, &ssoRefusal{"sso_no_role", http.StatusForbidden,
			name + " signed you in, but none of your groups there gives a role in this back office. Ask your administrator to add you to one."}, nil
	}
	return id, nil, nil
}
