package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
)

// passkeyRegisterOptions starts a registration: the options for the
// browser's navigator.credentials.create, with the member's passkeys
// excluded (an authenticator is registered once), a discoverable
// credential preferred (a passkey, which signs in without the e-mail; an
// older security key that cannot store one still serves as the second
// factor after the password), and user verification (PIN, fingerprint)
// preferred. The challenge stays in the session. Long after signing in,
// the member's password or a code comes with the name (freshSignIn).
func (h *Handlers) passkeyRegisterOptions(c echo.Context) error {
	if !h.passkeysOn() {
		return h.passkeysOff()
	}
	m := h.currentStaff(c)
	if _, problem := passkeyName(c.FormValue("name")); problem != "" {
		return ceremonyRefused(c, http.StatusUnprocessableEntity, problem)
	}
	if !h.freshSignIn(c) {
		if byCode, err := h.atKeyboard(c, m); err != nil {
			status, msg, ok := h.proofRefusal(c, m, byCode, err)
			if !ok {
				return err
			}
			return ceremonyRefused(c, status, msg)
		}
	}
	u, err := h.Staff.PasskeyUser(c.Request().Context(), m)
	if err != nil {
		return err
	}
	if len(u.WebAuthnCredentials()) >= staff.MaxPasskeys {
		return ceremonyRefused(c, http.StatusConflict, tooManyPasskeys)
	}
	creation, sd, err := h.WebAuthn.BeginRegistration(u,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, RequireResidentKey: protocol.ResidentKeyNotRequired(),
			UserVerification: protocol.VerificationPreferred}),
		webauthn.WithExclusions(webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return err
	}
	if err := h.putCeremony(c, keyPasskeyRegister, sd); err != nil {
		return err
	}
	return ceremonyJSON(c, creation)
}

// registerPasskey finishes a registration: the browser's answer
// (the form's "credential", JSON) is checked against the challenge in the
// session, and the passkey is stored under its name. It counts as this
// session's second factor from now on, as a confirmed authenticator does.
func (h *Handlers) registerPasskey(c echo.Context) error {
	if !h.passkeysOn() {
		return h.passkeysOff()
	}
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	name, problem := passkeyName(c.FormValue("name"))
	sd, err := h.popCeremony(c, keyPasskeyRegister)
	refuse := func(status int, msg string) error {
		v, verr := h.accountView(c, m)
		if verr != nil {
			return verr
		}
		v.PasskeyName, v.PasskeyError = c.FormValue("name"), msg
		return h.renderAccount(c, status, v)
	}
	if problem != "" {
		return refuse(http.StatusUnprocessableEntity, problem)
	}
	if err != nil {
		return refuse(http.StatusBadRequest, "The passkey was not created: this page waited too long, or your browser did not run the set-up. Try again.")
	}
	u, err := h.Staff.PasskeyUser(ctx, m)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(c.FormValue("credential")))
	var cred *webauthn.Credential
	if err == nil {
		cred, err = h.WebAuthn.CreateCredential(u, sd, parsed)
	}
	if err != nil {
		h.Log.Warn("passkey registration refused", slog.Int64("staff_id", m.ID), slog.String("reason", passkeyReason(err)), slog.String("request_id", requestIDOf(c)))
		return refuse(http.StatusBadRequest, "Your browser's answer could not be checked, so no passkey was added. Try again.")
	}
	id, err := h.Staff.AddPasskey(ctx, m.ID, name, cred)
	switch {
	case errors.Is(err, staff.ErrPasskeyExists):
		return refuse(http.StatusConflict, "This passkey is registered already.")
	case errors.Is(err, staff.ErrTooManyPasskeys):
		return refuse(http.StatusConflict, tooManyPasskeys)
	case err != nil:
		return err
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c),
		Detail: map[string]string{"step": audit.FactorEnrolled, "factor": staff.FactorPasskey, "passkey_id": strconv.FormatInt(id, 10), "passkey_name": name}}); err != nil {
		return err
	}
	h.Sessions.Put(ctx, session.KeySecondFactor, staff.FactorPasskey)
	h.Log.Info("passkey added", slog.Int64("staff_id", m.ID), slog.Int64("passkey_id", id), slog.String("request_id", requestIDOf(c)))
	h.flash(c, "Passkey \u201c"+name+"\u201d added. You can sign in with it instead of your password and code.")
	return redirect(c, "/account")
}

// passkeyReason is a refusal's cause for the log: the library's error
// type, never what the browser sent.
func passkeyReason(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe.Type
	}
	return "malformed"
}
