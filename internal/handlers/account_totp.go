package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/templates"
)

// totpIssuer names the back office in authenticator apps.
const totpIssuer = "ordercare"

// beginTOTP makes a new authenticator key and shows it with the form for
// the first code.
func (h *Handlers) beginTOTP(c echo.Context) error {
	if err := h.offered(); err != nil {
		return err
	}
	m := h.currentStaff(c)
	if _, err := h.Staff.BeginTOTP(c.Request().Context(), m, totpIssuer); err != nil && !errors.Is(err, staff.ErrEnrolled) {
		return err
	}
	return redirect(c, "/account")
}

// confirmTOTP checks the first code; when right, the authenticator counts
// from now on (this session included) and the recovery codes are shown,
// once.
func (h *Handlers) confirmTOTP(c echo.Context) error {
	if err := h.offered(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	codes, err := h.Staff.ConfirmTOTP(ctx, m, c.FormValue("code"), c.RealIP())
	if errors.Is(err, staff.ErrNoEnrolment) || errors.Is(err, staff.ErrEnrolled) {
		return redirect(c, "/account")
	}
	if err != nil {
		return h.accountCodeRefused(c, m, err)
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c),
		Detail: map[string]string{"step": audit.FactorEnrolled, "factor": staff.FactorTOTP}}); err != nil {
		return err
	}
	h.Sessions.Put(ctx, session.KeySecondFactor, staff.FactorTOTP)
	h.Log.Info("second factor set up", slog.Int64("staff_id", m.ID), slog.String("request_id", requestIDOf(c)))
	return h.showRecoveryCodes(c, m, codes, "Authenticator app set up. From now on you type its code after your password.")
}

// showRecoveryCodes answers with the account page showing new recovery
// codes, the only time they are shown (a page, not a redirect).
func (h *Handlers) showRecoveryCodes(c echo.Context, m *staff.Member, codes []string, flash string) error {
	v, err := h.accountView(c, m)
	if err != nil {
		return err
	}
	v.RecoveryCodes = codes
	p := h.page(c, "Your account", "")
	p.Flash = flash
	return renderPage(c, http.StatusOK, p, templates.Account(v))
}

// removeTOTP removes the member's own authenticator, after a current code
// (or recovery code) proves it is them at the keyboard. Under a policy
// that requires one, the member is sent to set up a new one.
func (h *Handlers) removeTOTP(c echo.Context) error {
	if err := h.offered(); err != nil {
		return err
	}
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	if err := h.verifyAccountCode(c, m, c.FormValue("code")); err != nil {
		return h.accountCodeRefused(c, m, err)
	}
	removed, err := h.Staff.RemoveTOTP(ctx, m.ID)
	if err != nil {
		return err
	}
	if removed {
		if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c),
			Detail: map[string]string{"step": audit.FactorRemoved, "factor": staff.FactorTOTP, "target_id": strconv.FormatInt(m.ID, 10)}}); err != nil {
			return err
		}
	}
	h.Sessions.Remove(ctx, session.KeySecondFactor)
	h.flash(c, "Authenticator app removed.")
	return redirect(c, "/account")
}
