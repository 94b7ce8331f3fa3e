package handlers

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/labstack/echo/v4"
)

// A WebAuthn ceremony's challenge stays on the server, in the session
// (never in a cookie or a form the browser could send back changed), and
// is taken out when the answer comes: each challenge is answered once.
// It expires with the library's enforced timeout (app/passkeys.go).
const (
	keyPasskeyRegister = "passkey_register"
	keyPasskeyLogin    = "passkey_login"
)

// errNoCeremony: no challenge waits in this session (none asked, already
// answered, or expired).
var errNoCeremony = errors.New("passkeys: no challenge waits in this session")

// putCeremony keeps a ceremony's session data under key.
func (h *Handlers) putCeremony(c echo.Context, key string, sd *webauthn.SessionData) error {
	raw, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	h.Sessions.Put(c.Request().Context(), key, string(raw))
	return nil
}

// popCeremony takes the ceremony under key out of the session; errNoCeremony
// when there is none or it has expired.
func (h *Handlers) popCeremony(c echo.Context, key string) (webauthn.SessionData, error) {
	var sd webauthn.SessionData
	raw := h.Sessions.PopString(c.Request().Context(), key)
	if raw == "" {
		return sd, errNoCeremony
	}
	if err := json.Unmarshal([]byte(raw), &sd); err != nil {
		return sd, err
	}
	if !sd.Expires.IsZero() && time.Now().After(sd.Expires) {
		return sd, errNoCeremony
	}
	return sd, nil
}

// passkeysOn reports whether passkeys are offered: a relying party is
// configured and the MFA policy is not off.
func (h *Handlers) passkeysOn() bool { return h.WebAuthn != nil && h.MFA.Offered() }

// passkeysOff answers the passkey routes when passkeys are off.
func (h *Handlers) passkeysOff() error {
	return publicError(http.StatusNotFound, "Passkeys are not available on this back office.")
}

// ceremonyJSON answers the script's request for options (passkey.js).
func ceremonyJSON(c echo.Context, options any) error {
	return c.JSON(http.StatusOK, options)
}

// ceremonyRefused answers the script's request for options with a message
// it shows next to the button.
func ceremonyRefused(c echo.Context, status int, msg string) error {
	return c.JSON(status, map[string]string{"error": msg})
}
