package handlers

import (
	"encoding/base64"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// accountView is the account page of the signed-in member as it stands.
func (h *Handlers) accountView(c echo.Context, m *staff.Member) (view.AccountView, error) {
	ctx := c.Request().Context()
	v := view.AccountView{CSRF: csrfToken(c), Offered: h.MFA.Offered()}
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

func setPending(v *view.AccountView, e *staff.TOTPEnrolment) {
	v.Pending = true
	v.QRDataURL = "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRPNG)
	v.URI, v.Secret = e.URI, e.Secret
}

func (h *Handlers) renderAccount(c echo.Context, status int, v view.AccountView) error {
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
