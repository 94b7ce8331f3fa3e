package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// renewRecoveryCodes replaces the member's recovery codes with new ones,
// shown once on the page this answers with; the old ones stop working. It
// takes proof that the member is at the keyboard: a code (from the app, or
// an unused recovery code) when one is typed, else the current password.
// Wrong ones count against the sign-in lock-out.
func (h *Handlers) renewRecoveryCodes(c echo.Context) error {
	if err := h.offered(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	has, err := h.Staff.HasSecondFactor(ctx, m.ID)
	if err != nil {
		return err
	}
	if !has {
		return redirect(c, "/account")
	}
	if byCode, err := h.atKeyboard(c, m); err != nil {
		return h.recoveryProofRefused(c, m, byCode, err)
	}
	codes, err := h.Staff.NewRecoveryCodes(ctx, m.ID)
	if err != nil {
		return err
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c),
		Detail: map[string]string{"step": audit.FactorRecoveryCodesRenewed, "factor": staff.FactorRecovery}}); err != nil {
		return err
	}
	h.Log.Info("recovery codes renewed", slog.Int64("staff_id", m.ID), slog.String("request_id", requestIDOf(c)))
	return h.showRecoveryCodes(c, m, codes, "New recovery codes made. The old ones no longer work.")
}

// errNoProof: a form that changes a member's second factors came with
// neither their password nor a code.
var errNoProof = errors.New("handlers: neither the password nor a code was given")

// atKeyboard checks the proof a member gives that it is them at the
// keyboard, not someone at a session they left open, before a change to
// their second factors: a code (from the app, or an unused recovery code)
// when one is typed, else their current password. Wrong ones count
// against the sign-in lock-out. byCode says which one was checked.
func (h *Handlers) atKeyboard(c echo.Context, m *staff.Member) (byCode bool, err error) {
	code, password := c.FormValue("code"), c.FormValue("password")
	switch {
	case code != "":
		return true, h.verifyAccountCode(c, m, code)
	case password != "":
		return false, h.Staff.VerifyOwnPassword(c.Request().Context(), m, password, c.RealIP())
	default:
		return false, errNoProof
	}
}

// verifyAccountCode checks a code typed on the account page, as at
// sign-in: a recovery code is spent by it, and that use is audited like a
// sign-in's.
func (h *Handlers) verifyAccountCode(c echo.Context, m *staff.Member, code string) error {
	ctx := c.Request().Context()
	factor, err := h.Staff.VerifySecondFactor(ctx, m, code, c.RealIP())
	if err != nil || factor != staff.FactorRecovery {
		return err
	}
	left, err := h.Staff.RecoveryCodesLeft(ctx, m.ID)
	if err != nil {
		return err
	}
	h.appendAudit(c, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c),
		Detail: map[string]string{"step": audit.FactorRecoveryCodeUsed, "factor": factor, "codes_left": strconv.Itoa(left)}})
	return nil
}

// proofRefusal is what the account page says of a refused proof, and
// with which status, for a refusal of atKeyboard (codes are audited by
// codeRefused); ok is false for any other error.
func (h *Handlers) proofRefusal(c echo.Context, m *staff.Member, byCode bool, err error) (status int, msg string, ok bool) {
	var le *staff.LockedError
	switch {
	case byCode:
		return h.codeRefused(c, m, h.actor(c), err)
	case errors.As(err, &le):
		h.auditLockout(c, h.actor(c), le)
		return http.StatusTooManyRequests, le.Message(h.now()), true
	case errors.Is(err, staff.ErrWrongCurrentPassword):
		return http.StatusUnauthorized, "This is not your current password.", true
	case errors.Is(err, errNoProof):
		return http.StatusUnauthorized, "Type your current password, or a code from your app (or a recovery code).", true
	}
	return 0, "", false
}

// recoveryProofRefused shows the account page again with why the proof
// was refused next to the field that was used.
func (h *Handlers) recoveryProofRefused(c echo.Context, m *staff.Member, byCode bool, err error) error {
	status, msg, ok := h.proofRefusal(c, m, byCode, err)
	if !ok {
		return err
	}
	v, verr := h.accountView(c, m)
	if verr != nil {
		return verr
	}
	if byCode {
		v.ProofCodeError = msg
	} else {
		v.ProofPasswordError = msg
	}
	return h.renderAccount(c, status, v)
}
