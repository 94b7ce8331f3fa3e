package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// Signing in with a passkey takes two requests from passkey.js: the
// options (a challenge kept in the session), then the browser's signed
// answer in an ordinary form post. On the sign-in page nobody is known
// yet: the browser offers the passkeys it holds for this site
// (discoverable credentials) and the one chosen names its member; it
// must verify the person (PIN, fingerprint), so the passkey stands for
// password and second factor at once. On the code form, after a right
// password, only that member's passkeys are asked for, as the second
// factor.

// passkeyLoginOptions answers the options for navigator.credentials.get.
func (h *Handlers) passkeyLoginOptions(c echo.Context) error {
	if !h.passkeysOn() {
		return h.passkeysOff()
	}
	m, err := h.pendingMember(c)
	if err != nil {
		return err
	}
	var assertion *protocol.CredentialAssertion
	var sd *webauthn.SessionData
	if m != nil {
		u, err := h.Staff.PasskeyUser(c.Request().Context(), m)
		if err != nil {
			return err
		}
		if len(u.WebAuthnCredentials()) == 0 {
			return ceremonyRefused(c, http.StatusConflict, "You have no passkey. Type the code from your authenticator app instead.")
		}
		assertion, sd, err = h.WebAuthn.BeginLogin(u, webauthn.WithUserVerification(protocol.VerificationPreferred))
		if err != nil {
			return err
		}
	} else {
		assertion, sd, err = h.WebAuthn.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			return err
		}
	}
	if err := h.putCeremony(c, keyPasskeyLogin, sd); err != nil {
		return err
	}
	return ceremonyJSON(c, assertion)
}

// signInWithPasskey checks the browser's signed answer against the
// challenge in the session and the stored public key, refuses a
// signature counter that did not move forward, and signs the member in
// with the passkey as their second factor (completeSignIn).
func (h *Handlers) signInWithPasskey(c echo.Context) error {
	if !h.passkeysOn() {
		return h.passkeysOff()
	}
	ctx := c.Request().Context()
	next := safeNext(c.FormValue("next"))
	pending, err := h.pendingMember(c)
	if err != nil {
		return err
	}
	sd, err := h.popCeremony(c, keyPasskeyLogin)
	if err != nil {
		return h.passkeyRefused(c, pending, next, nil, "no_challenge")
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(c.FormValue("credential")))
	if err != nil {
		return h.passkeyRefused(c, pending, next, nil, "malformed")
	}
	var u *staff.PasskeyUser
	var cred *webauthn.Credential
	if len(sd.UserID) > 0 {
		// The code form's ceremony: the member whose password was right.
		if pending == nil {
			return h.passkeyRefused(c, nil, next, nil, "no_pending_sign_in")
		}
		if u, err = h.Staff.PasskeyUser(ctx, pending); err == nil {
			cred, err = h.WebAuthn.ValidateLogin(u, sd, parsed)
		}
	} else {
		var found webauthn.User
		found, cred, err = h.WebAuthn.ValidatePasskeyLogin(func(_, handle []byte) (webauthn.User, error) {
			return h.Staff.PasskeyUserByHandle(ctx, handle)
		}, sd, parsed)
		u, _ = found.(*staff.PasskeyUser)
	}
	if err != nil {
		var who *staff.Member
		if u != nil {
			who = u.Member
		}
		return h.passkeyRefused(c, pending, next, who, passkeyReason(err))
	}
	name, err := h.Staff.UsePasskey(ctx, u.Member.ID, cred)
	if errors.Is(err, staff.ErrPasskeyCounter) {
		return h.passkeyRefused(c, pending, next, u.Member, "sign_counter")
	}
	if err != nil {
		return err
	}
	c.Set(passkeyUsedKey, name)
	return h.completeSignIn(c, u.Member, staff.FactorPasskey, next)
}

// passkeyUsedKey carries the name of the passkey that signed in to the
// sign-in's audit event.
const passkeyUsedKey = "passkey_name"

// passkeyRefused records a refused passkey (audit, log; who is the member
// it named, if any) and shows the form it came from again with one
// message: the code form while a password waits for its second factor,
// else the sign-in form.
func (h *Handlers) passkeyRefused(c echo.Context, pending *staff.Member, next string, who *staff.Member, reason string) error {
	h.Log.Warn("passkey sign-in refused", slog.String("reason", reason), slog.String("request_id", requestIDOf(c)))
	a := audit.Actor{ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	if who == nil {
		who = pending
	}
	if who != nil {
		a.StaffID, a.Email, a.Role = who.ID, who.Email, string(who.Role)
	}
	h.appendAudit(c, audit.Event{Kind: audit.KindSignInFailed, Actor: a, Reason: "passkey_" + reason,
		Detail: map[string]string{"factor": staff.FactorPasskey}})
	const msg = "Your passkey was not accepted. Try again, or sign in with your password."
	if pending != nil {
		return h.renderLoginCode(c, http.StatusUnauthorized, view.CodeForm{Next: nextField(next), Error: msg})
	}
	return h.renderLogin(c, http.StatusUnauthorized, view.LoginForm{Next: nextField(next), Error: msg})
}

// passkeyDetail adds the passkey's name to the sign-in's audit detail.
func passkeyDetail(c echo.Context, d map[string]string) {
	if name, _ := c.Get(passkeyUsedKey).(string); name != "" {
		d["passkey_name"] = name
	}
}
