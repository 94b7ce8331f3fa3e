package handlers

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/sso"
	"ordercare/internal/staff"
	"ordercare/web/templates"
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
		return h.renderLogin(c, http.StatusServiceUnavailable, templates.LoginForm{Next: nextField(next),
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

// ssoRefusal is a single sign-on that did not sign anyone in: the reason
// for the audit log and the server log, the status and the message for
// the person.
type ssoRefusal struct {
	reason  string
	status  int
	message string
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

// memberRefusal is the refusal for an error of staff.SignInExternal.
func (h *Handlers) memberRefusal(err error) (ssoRefusal, bool) {
	var le *staff.LookalikeError
	switch {
	case errors.Is(err, staff.ErrMemberDisabled):
		return ssoRefusal{"sso_disabled", http.StatusForbidden,
			"Your account is disabled in this back office, whatever " + h.SSO.Name() + " says. Ask an admin here if you need it back."}, true
	case errors.As(err, &le), errors.Is(err, staff.ErrEmailScripts), errors.Is(err, staff.ErrEmailInvisible):
		return ssoRefusal{"sso_lookalike", http.StatusForbidden,
			"Your e-mail address looks like another member's or mixes alphabets, so no account is made for it. Ask an admin here."}, true
	case errors.Is(err, staff.ErrOtherSubject):
		return ssoRefusal{"sso_other_account", http.StatusForbidden,
			"The member with your e-mail address signs in with another account at " + h.SSO.Name() + ". Ask an admin here."}, true
	case errors.Is(err, staff.ErrBadEmail):
		return ssoRefusal{"sso_bad_email", http.StatusForbidden,
			h.SSO.Name() + " sent an e-mail address this back office cannot use. Ask an admin here."}, true
	case errors.Is(err, staff.ErrLastAdmin):
		return ssoRefusal{"sso_last_admin", http.StatusForbidden,
			h.SSO.Name() + "'s groups would take the admin role from the last admin here. Make another member admin first, or sign in with your password."}, true
	}
	return ssoRefusal{}, false
}

// refuseSSO records a refused single sign-on and shows why on the
// sign-in page. The address is recorded as the provider sent it (id is
// nil when the provider's answer was not read).
func (h *Handlers) refuseSSO(c echo.Context, id *sso.Identity, next string, r ssoRefusal) error {
	who := audit.Actor{ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	if id != nil {
		who.Email = auditEmail(id.Email)
	}
	h.Log.Warn("single sign-on refused", slog.String("reason", r.reason), slog.String("request_id", requestIDOf(c)))
	h.appendAudit(c, audit.Event{Kind: audit.KindSignInFailed, Actor: who, Reason: r.reason,
		Detail: map[string]string{"method": methodSSO, "issuer": h.SSO.Issuer()}})
	return h.renderLogin(c, r.status, templates.LoginForm{Next: nextField(next), Error: r.message})
}

// auditSSOChanges records what the provider's word changed: a member made
// just in time, the provider's account linked to a member (its first
// sign-in), a role changed. The actor is the member signing in, as
// the provider's administrator has no account here; Detail["by"] says who
// decided. These are not the staff page's "add" and "role" changes, which
// bar their author from deciding the member's requests.
func (h *Handlers) auditSSOChanges(c echo.Context, id *sso.Identity, res *staff.ExternalSignIn) error {
	m := res.Member
	who := audit.Actor{StaffID: m.ID, Email: m.Email, Role: string(m.Role), ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	base := map[string]string{"target_id": strconv.FormatInt(m.ID, 10), "target_email": m.Email, "by": "identity_provider",
		"issuer": h.SSO.Issuer(), "claim_value": id.Matched}
	var events []map[string]string
	if res.Created {
		events = append(events, with(base, map[string]string{"change": "sso_created", "role": string(m.Role)}))
	}
	if res.Linked {
		// The provider's account is this member from now on, whatever
		// address it carries later.
		events = append(events, with(base, map[string]string{"change": "sso_linked", "subject": id.Subject}))
	}
	if res.OldRole != "" {
		events = append(events, with(base, map[string]string{"change": "sso_role", "from": string(res.OldRole), "to": string(m.Role)}))
	}
	// Not the request's context: the change is made, its record must be.
	ctx := context.WithoutCancel(c.Request().Context())
	for _, d := range events {
		if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindStaff, Actor: who, Outcome: audit.OutcomeSucceeded, Detail: d}); err != nil {
			h.Log.Error("single sign-on change not recorded in the audit log", slog.String("change", d["change"]), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
			return err
		}
	}
	return nil
}

// with is base and more in a new map.
func with(base, more map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, more)
	return out
}

// truncate cuts s to n bytes of valid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
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
