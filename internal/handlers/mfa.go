package handlers

import (
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/session"
	"ordercare/internal/staff"
)

// mfaExempt reports whether the policy leaves m alone (the sandbox's demo
// accounts).
func (h *Handlers) mfaExempt(m *staff.Member) bool {
	return h.MFAExempt != nil && h.MFAExempt(m)
}

// needsSecondFactor reports whether m must set up a second factor before
// acting: the policy asks it of m's role, m is not exempt, and this
// session was not completed with a second factor.
func (h *Handlers) needsSecondFactor(c echo.Context, m *staff.Member) bool {
	if !h.MFA.Requires(m.Role) || h.mfaExempt(m) {
		return false
	}
	return h.Sessions.GetString(c.Request().Context(), session.KeySecondFactor) == ""
}

// toEnrolment sends a member who must first set up a second factor to
// /account, for any route but the account's own and sign-out.
// A member who has one already (set up in another session, or the policy
// was turned on while they were signed in) is asked for its code instead.
func (h *Handlers) toEnrolment(c echo.Context, m *staff.Member) error {
	h.Log.Info("second factor required", slog.Int64("staff_id", m.ID), slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)))
	has, err := h.Staff.HasSecondFactor(c.Request().Context(), m.ID)
	if err != nil {
		return err
	}
	if has {
		next := "/"
		if c.Request().Method == http.MethodGet && !fromHTMX(c) {
			next = safeNext(c.Request().URL.RequestURI())
		}
		return h.askSecondFactor(c, m, next)
	}
	h.flash(c, "Your role needs a second factor. Set up an authenticator app or a passkey to continue.")
	if fromHTMX(c) {
		c.Response().Header().Set(hxRedirect, "/account")
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, "/account")
}

// mfaPolicyText says on the account page what the policy asks of m.
func (h *Handlers) mfaPolicyText(c echo.Context, m *staff.Member) (string, bool) {
	switch {
	case !h.MFA.Offered():
		return "Second factors are turned off on this back office (ORDERCARE_MFA=off).", false
	case h.MFA.Requires(m.Role) && h.mfaExempt(m):
		return "This demo account of the built-in sandbox is exempt from the second-factor rule; real accounts of your role must set one up.", false
	case h.needsSecondFactor(c, m):
		return "Your role needs a second factor before you can work: set up an authenticator app or a passkey below.", true
	case h.MFA.Requires(m.Role):
		return "Your role needs a second factor; yours is set up.", false
	}
	return "A second factor is optional for your role, and recommended.", false
}
