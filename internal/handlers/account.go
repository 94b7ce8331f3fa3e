package handlers

import (
	"encoding/base64"
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

// accountView is the account page of the signed-in member as it stands.
func (h *Handlers) accountView(c echo.Context, m *staff.Member) (templates.AccountView, error) {
	ctx := c.Request().Context()
	v := templates.AccountView{CSRF: csrfToken(c), Offered: h.MFA.Offered()}
	chosen, err := h.Staff.NumberFormat(ctx, m.ID)
	if err != nil {
		return v, err
	}
	v.Numbers = numberChoices(chosen, browserLanguage(c))
	v.Policy, v.Needed = h.mfaPolicyText(c, m)
	if v.Sessions, err = h.sessionRows(c, m); err != nil {
		return v, err
	}
	if err = h.passkeyRows(c, m, &v); err != nil {
		return v, err
	}
	if !v.Offered {
		return v, nil
	}
	// Recovery codes back up any second factor (account_recovery.go).
	if v.RecoveryOffered, err = h.Staff.HasSecondFactor(ctx, m.ID); err != nil {
		return v, err
	}
	if v.RecoveryOffered {
		if v.RecoveryLeft, err = h.Staff.RecoveryCodesLeft(ctx, m.ID); err != nil {
			return v, err
		}
	}
	if v.Enrolled, err = h.Staff.HasTOTP(ctx, m.ID); err != nil || v.Enrolled {
		return v, err
	}
	e, err := h.Staff.PendingTOTP(ctx, m.ID)
	switch {
	case errors.Is(err, staff.ErrNoEnrolment):
		return v, nil
	case err != nil:
		return v, err
	}
	setPending(&v, e)
	return v, nil
}

func setPending(v *templates.AccountView, e *staff.TOTPEnrolment) {
	v.Pending = true
	v.QRDataURL = "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG)
	v.URI, v.Secret = e.URI, e.Secret
}

func (h *Handlers) renderAccount(c echo.Context, status int, v templates.AccountView) error {
	p := h.page(c, "Your account", "")
	return renderPage(c, status, p, templates.Account(v))
}

// showAccount is the member's own page.
func (h *Handlers) showAccount(c echo.Context) error {
	m := h.currentStaff(c)
	v, err := h.accountView(c, m)
	if err != nil {
		return err
	}
	return h.renderAccount(c, http.StatusOK, v)
}

// accountCodeRefused shows the account page again with why the code was
// refused next to its field (a refusal is audited by codeRefused).
func (h *Handlers) accountCodeRefused(c echo.Context, m *staff.Member, err error) error {
	status, msg, ok := h.codeRefused(c, m, h.actor(c), err)
	if !ok {
		return err
	}
	v, verr := h.accountView(c, m)
	if verr != nil {
		return verr
	}
	v.CodeError = msg
	return h.renderAccount(c, status, v)
}

// offered refuses the second-factor forms when the policy is off.
func (h *Handlers) offered() error {
	if !h.MFA.Offered() {
		return publicError(http.StatusNotFound, "Second factors are turned off on this back office.")
	}
	return nil
}

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
	if _, err := h.Staff.VerifySecondFactor(ctx, m, c.FormValue("code"), c.RealIP()); err != nil {
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
