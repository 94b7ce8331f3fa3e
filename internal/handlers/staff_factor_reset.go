package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// factorResetRows fills in each staff row whether the member has a second
// factor and who asked to reset it.
func (h *Handlers) factorResetRows(c echo.Context, members []staff.Member, self int64, rows []view.StaffRow) error {
	ctx := c.Request().Context()
	with, err := h.Staff.WithSecondFactor(ctx)
	if err != nil {
		return err
	}
	open, err := h.Staff.OpenFactorResets(ctx)
	if err != nil {
		return err
	}
	email := map[int64]string{}
	for _, m := range members {
		email[m.ID] = m.Email
	}
	for i := range rows {
		rows[i].HasFactor = with[rows[i].ID]
		if r, ok := open[rows[i].ID]; ok {
			rows[i].ResetBy, rows[i].ResetByMe = email[r.RequestedBy], r.RequestedBy == self
		}
	}
	return nil
}

// factorReset is an admin's step of a second-factor reset: the first
// admin's click asks, another admin's click approves and removes the
// member's authenticator and recovery codes. Both are audited.
func (h *Handlers) factorReset(c echo.Context) error {
	ctx := c.Request().Context()
	target, err := h.member(c)
	if err != nil {
		return err
	}
	admin := h.currentStaff(c)
	step := audit.FactorRemoved
	r, err := h.Staff.ApproveFactorReset(ctx, target.ID, admin.ID)
	if errors.Is(err, staff.ErrNoReset) {
		step = audit.FactorResetRequested
		r, err = h.Staff.RequestFactorReset(ctx, target.ID, admin.ID)
	}
	var msg string
	switch {
	case errors.Is(err, staff.ErrResetSameAdmin):
		msg = "You asked for this reset: another admin must approve it."
	case errors.Is(err, staff.ErrResetOwn):
		msg = "Remove your own second factor on your account page."
	case errors.Is(err, staff.ErrNoEnrolment):
		msg = "This member has no second factor to reset."
	case err != nil:
		return err
	}
	if msg != "" {
		v, verr := h.staffView(c)
		if verr != nil {
			return verr
		}
		v.RowErrorID, v.RowError = target.ID, msg
		return h.renderStaff(c, http.StatusConflict, v)
	}
	d := map[string]string{"step": step, "factor": staff.FactorTOTP, "target_id": strconv.FormatInt(target.ID, 10),
		"target_email": target.Email, "requested_by": strconv.FormatInt(r.RequestedBy, 10)}
	if step == audit.FactorRemoved {
		d["approved_by"] = strconv.FormatInt(admin.ID, 10)
	}
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSecondFactor, Actor: h.actor(c), Reason: "reset by two admins", Detail: d}); err != nil {
		return err
	}
	h.Log.Info("second factor reset", slog.String("step", step), slog.Int64("target_id", target.ID), slog.String("request_id", requestIDOf(c)))
	if step == audit.FactorRemoved {
		h.flash(c, "Second factor of "+target.Email+" removed. They set up a new one after their next sign-in.")
	} else {
		h.flash(c, "Reset of the second factor of "+target.Email+" asked: another admin must approve it.")
	}
	return redirect(c, "/staff")
}
