package handlers

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/sso"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// Single sign-on with an OpenID Connect provider (package sso): the
// button on the sign-in page leads to GET /login/sso, which keeps a fresh
// state, nonce and PKCE verifier in the session and sends the browser to
// the provider; the provider sends it back to GET /login/sso/callback,
// which takes that flow out of the session (single use), checks it, and
// signs the member in as a password sign-in does (new session token and
// CSRF token, audit event), or refuses with a message on the sign-in page.

// ssoCallback is the callback path (config.OIDCCallbackPath).
const ssoCallback = "/login/sso/callback"

// Session keys of single sign-on.
const (
	// ssoFlowKey holds the sign-in in progress (sso.Flow.Encode).
	ssoFlowKey = "sso_flow"
	// pendingMethodKey marks a pending sign-in (waiting for the member's
	// own second factor) as started by the identity provider, for its
	// audit event.
	pendingMethodKey = "pending_method"
)

// methodSSO is the sign-in event's Detail["method"] for single sign-on.
const methodSSO = "sso"

// startSSO is GET /login/sso: a new flow in the session, then the
// provider's authorization page.
func (h *Handlers) startSSO(c echo.Context) error {
	if h.SSO == nil {
		return publicError(http.StatusNotFound, "Single sign-on is not set up on this back office.")
	}
	next := safeNext(c.QueryParam("next"))
	if h.currentStaff(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	f, authURL, err := h.SSO.Start(c.Request().Context(), h.ssoRedirect(c), next)
	if err != nil {
		h.Log.Warn("single sign-on unavailable", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return h.renderLogin(c, http.StatusServiceUnavailable, view.LoginForm{Next: nextField(next),
			Error: h.SSO.Name() + " cannot be reached right now. Try again in a minute, or sign in with your password."})
	}
	h.Sessions.Put(c.Request().Context(), ssoFlowKey, f.Encode())
	return c.Redirect(http.StatusSeeOther, authURL)
}

// ssoRedirect is the callback URL: the configured one (as registered at
// the provider), else this server's own address (sandbox mode).
func (h *Handlers) ssoRedirect(c echo.Context) string {
	if h.SSORedirect != "" {
		return h.SSORedirect
	}
	return c.Scheme() + "://" + c.Request().Host + ssoCallback
}

// finishSSO is GET /login/sso/callback?code=…&state=…
func (h *Handlers) finishSSO(c echo.Context) error {
	if h.SSO == nil {
		return publicError(http.StatusNotFound, "Single sign-on is not set up on this back office.")
	}
	ctx := c.Request().Context()
	// Taken out whatever follows: a flow serves one answer.
	f, _ := sso.DecodeFlow(h.Sessions.PopString(ctx, ssoFlowKey))
	next := safeNext(f.Next)
	id, refused, err := h.ssoIdentity(c, f)
	if err != nil {
		return err
	}
	if refused != nil {
		return h.refuseSSO(c, id, next, *refused)
	}
	res, err := h.Staff.SignInExternal(ctx, staff.External{Issuer: h.SSO.Issuer(), Subject: id.Subject, Email: id.Email, Role: id.Role})
	if err != nil {
		refused, ok := h.memberRefusal(err)
		if !ok {
			return err
		}
		return h.refuseSSO(c, id, next, refused)
	}
	m := res.Member
	if err := h.auditSSOChanges(c, id, res); err != nil {
		return err
	}
	if id.ProviderMFA {
		return h.completeSignInVia(c, m, staff.FactorProvider, methodSSO, next)
	}
	if h.MFA.Offered() {
		has, err := h.Staff.HasSecondFactor(ctx, m.ID)
		if err != nil {
			return err
		}
		if has {
			// The provider's sign-in does not count as a second factor
			// here: the member's own is asked for, as after a password.
			return h.askSecondFactorVia(c, m, methodSSO, next)
		}
	}
	return h.completeSignInVia(c, m, "", methodSSO, next)
}

// loginSSO is the single sign-on button's provider name ("": none).
func (h *Handlers) loginSSO() string {
	if h.SSO == nil {
		return ""
	}
	return h.SSO.Name()
}

// pendingMethod is the sign-in method of the pending sign-in.
func (h *Handlers) pendingMethod(c echo.Context) string {
	return h.Sessions.GetString(c.Request().Context(), pendingMethodKey)
}
