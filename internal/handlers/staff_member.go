package handlers

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// refuseLastAdmin shows the staff page with the last-admin message at the
// member's row, after recording the refusal.
func (h *Handlers) refuseLastAdmin(c echo.Context, m *staff.Member, change string, detail map[string]string) error {
	detail["refused"] = "last active admin"
	if err := h.auditStaff(c, audit.OutcomeRefused, m, change, detail); err != nil {
		return err
	}
	v, err := h.staffView(c)
	if err != nil {
		return err
	}
	v.RowErrorID = m.ID
	v.RowError = m.Email + " is the last active admin: make another member admin first, so someone can still manage staff."
	return h.renderStaff(c, http.StatusConflict, v)
}

// changeStaffRole sets a member's role; the new role applies on their
// next request.
func (h *Handlers) changeStaffRole(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	role, err := staff.ParseRole(c.FormValue("role"))
	if err != nil {
		return publicError(http.StatusUnprocessableEntity, "Choose one of the roles.")
	}
	old, err := h.Staff.ChangeRole(c.Request().Context(), m.ID, role)
	if errors.Is(err, staff.ErrLastAdmin) {
		return h.refuseLastAdmin(c, m, "role", map[string]string{"from": string(m.Role), "to": string(role)})
	}
	if err != nil {
		return err
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "role", map[string]string{"from": string(old), "to": string(role)}); err != nil {
		return err
	}
	h.flash(c, m.Email+" is now "+view.RoleName(role)+".")
	return redirect(c, "/staff")
}

// disableStaff blocks a member; their sessions end at once (the session
// middleware reloads the member on every request).
func (h *Handlers) disableStaff(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	err = h.Staff.DisableMember(c.Request().Context(), m.ID)
	if errors.Is(err, staff.ErrLastAdmin) {
		return h.refuseLastAdmin(c, m, "disable", map[string]string{})
	}
	if err != nil {
		return err
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "disable", nil); err != nil {
		return err
	}
	h.flash(c, m.Email+" is disabled and signed out everywhere.")
	return redirect(c, "/staff")
}

// enableStaff lets a disabled member sign in again.
func (h *Handlers) enableStaff(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	if err := h.Staff.Enable(c.Request().Context(), m.ID); err != nil {
		return err
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "enable", nil); err != nil {
		return err
	}
	h.flash(c, m.Email+" can sign in again.")
	return redirect(c, "/staff")
}

// unlockStaff lifts a member's sign-in lock-out (too many wrong
// passwords) before it runs out, once an admin has checked it is them.
func (h *Handlers) unlockStaff(c echo.Context) error {
	m, err := h.member(c)
	if err != nil {
		return err
	}
	if err := h.Staff.Unlock(c.Request().Context(), m.Email); err != nil {
		return err
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "unlock", nil); err != nil {
		return err
	}
	h.flash(c, m.Email+" can sign in again now.")
	return redirect(c, "/staff")
}
