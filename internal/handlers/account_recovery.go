package handlers

import (
	"errors"
	"log/slog"
	"net/http"

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
	code, password := c.FormValue("code"), c.FormValue("password")
	if code != "" {
		_, err = h.Staff.VerifySecondFactor(ctx, m, code, c.RealIP())
	} else {
		err = h.Staff.VerifyOwnPassword(ctx, m, password, c.RealIP())
	}
	if err != nil {
		return h.recoveryProofRefused(c, m, code != "", err)
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

// recoveryProofRefused shows the account page again with why the proof
// was refused next to the field that was used.
func (h *Handlers) recoveryProofRefused(c echo.Context, m *staff.Member, byCode bool, err error) error {
	status, msg := http.StatusUnauthorized, ""
	var le *staff.LockedError
	switch {
	case byCode:
		var ok bool
		if status, msg, ok = h.codeRefused(c, m, h.actor(c), err); !ok {
			return err
		}
	case errors.As(err, &le):
		status, msg = http.StatusTooManyRequests, le.Message(h.now())
	case errors.Is(err, staff.ErrWrongCurrentPassword):
		msg = "This is not your current password."
	default:
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
