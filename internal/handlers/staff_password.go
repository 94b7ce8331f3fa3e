package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// passwordFor returns the password the admin typed, or a generated one
// (generated reports which; a generated one is shown once).
func passwordFor(c echo.Context) (pw string, generated bool, err error) {
	if pw = c.FormValue("password"); pw != "" {
		return pw, false, nil
	}
	pw, err = staff.GeneratePassword()
	return pw, true, err
}

func passwordSource(generated bool) string {
	if generated {
		return "generated"
	}
	return "set by the admin"
}

// showSecret answers with the staff page and a password shown this once
// (never put in the session or a URL).
func (h *Handlers) showSecret(c echo.Context, m *staff.Member, pw string) error {
	v, err := h.staffView(c)
	if err != nil {
		return err
	}
	v.Secret, v.SecretFor = pw, m.Email
	return h.renderStaff(c, http.StatusOK, v)
}

// resetStaffPassword sets a new password (typed, or generated and shown
// once); it ends the member's sessions.
func (h *Handlers) resetStaffPassword(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	pw, generated, err := passwordFor(c)
	if err != nil {
		return err
	}
	err = h.Staff.SetPassword(c.Request().Context(), m.ID, pw)
	if errors.Is(err, staff.ErrBadPassword) {
		v, verr := h.staffView(c)
		if verr != nil {
			return verr
		}
		v.RowErrorID = m.ID
		v.RowError = "The password must be " + strconv.Itoa(staff.MinPasswordLen) + " to " + strconv.Itoa(staff.MaxPasswordLen) + " characters long."
		return h.renderStaff(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return err
	}
	// A new password is how an admin helps a member who forgot theirs, so
	// it also lifts a lock-out their guesses caused.
	if err := h.Staff.Unlock(c.Request().Context(), m.Email); err != nil {
		return err
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "password", map[string]string{"password": passwordSource(generated)}); err != nil {
		return err
	}
	if generated {
		return h.showSecret(c, m, pw)
	}
	h.flash(c, "New password set for "+m.Email+"; their sessions have ended.")
	return redirect(c, "/staff")
}
