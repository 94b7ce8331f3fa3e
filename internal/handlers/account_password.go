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
)

var errPasswordsDiffer = errors.New("the two new passwords differ")

// changeOwnPassword lets a member replace their password with their
// current one. Every other session of theirs ends; this one stays.
func (h *Handlers) changeOwnPassword(c echo.Context) error {
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	current, next := c.FormValue("current"), c.FormValue("new")
	err := errPasswordsDiffer
	if next == c.FormValue("confirm") {
		err = h.Staff.ChangeOwnPassword(ctx, m, current, next, c.RealIP())
	}
	if err != nil {
		v, verr := h.accountView(c, m)
		if verr != nil {
			return verr
		}
		status := http.StatusUnprocessableEntity
		var le *staff.LockedError
		switch {
		case errors.As(err, &le):
			h.auditLockout(c, h.actor(c), le)
			status, v.CurrentError = http.StatusTooManyRequests, le.Message(h.now())
		case errors.Is(err, staff.ErrWrongCurrentPassword):
			v.CurrentError = "This is not your current password."
		case errors.Is(err, staff.ErrCommonPassword):
			v.NewError = "This password is on the list of common passwords that attackers try first. Choose another, such as a few unrelated words."
		case errors.Is(err, staff.ErrBadPassword):
			v.NewError = "The new password must be " + strconv.Itoa(staff.MinPasswordLen) + " to " + strconv.Itoa(staff.MaxPasswordLen) + " characters."
		case errors.Is(err, staff.ErrSamePassword):
			v.NewError = "The new password is your current one."
		case errors.Is(err, errPasswordsDiffer):
			v.NewError = "The two new passwords differ. Type the same one twice."
		default:
			return err
		}
		h.Log.Info("own password change refused", slog.Int64("staff_id", m.ID), slog.Int("status", status), slog.String("request_id", requestIDOf(c)))
		return h.renderAccount(c, status, v)
	}
	// SessionsValidAfter moved to now: this session is re-dated after it.
	h.Sessions.Put(ctx, session.KeyAuthTime, h.now().UnixNano())
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "own_password", nil); err != nil {
		return err
	}
	h.flash(c, "Password changed. Your other sessions are signed out.")
	return redirect(c, "/account")
}
