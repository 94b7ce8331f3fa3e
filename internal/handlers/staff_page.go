package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// Staff administration (admins only). Every change, and every change the
// last-admin rule refuses, is an audit event of kind "staff" with the
// acting admin as actor and the member in Detail. The change is made
// first and then recorded; if recording fails the admin is told and the
// failure is logged as an error (the staff store and the audit log are
// separate databases, so the two cannot share a transaction).

// staffView is the staff page with every member.
func (h *Handlers) staffView(c echo.Context) (view.StaffView, error) {
	members, err := h.Staff.List(c.Request().Context())
	if err != nil {
		return view.StaffView{}, err
	}
	var self int64
	if m := h.currentStaff(c); m != nil {
		self = m.ID
	}
	locks, err := h.Staff.AccountLocks(c.Request().Context())
	if err != nil {
		return view.StaffView{}, err
	}
	v := view.NewStaffView(members, self, locks, agentZone(c))
	v.CSRF = csrfToken(c)
	return v, h.factorResetRows(c, members, self, v.Rows)
}

func (h *Handlers) renderStaff(c echo.Context, status int, v view.StaffView) error {
	return renderPage(c, status, h.page(c, "Staff", view.NavStaff), templates.StaffPage(v))
}

// showStaff lists the staff.
func (h *Handlers) showStaff(c echo.Context) error {
	v, err := h.staffView(c)
	if err != nil {
		return err
	}
	return h.renderStaff(c, http.StatusOK, v)
}

// auditStaff records a staff change; outcome is succeeded or refused.
func (h *Handlers) auditStaff(c echo.Context, outcome audit.Outcome, target *staff.Member, change string, detail map[string]string) error {
	d := map[string]string{"change": change}
	if target != nil {
		d["target_id"] = strconv.FormatInt(target.ID, 10)
		d["target_email"] = target.Email
	}
	for k, v := range detail {
		d[k] = v
	}
	// Not the request's context: the change is made, so its record must
	// be written even if the admin's browser went away.
	ctx := context.WithoutCancel(c.Request().Context())
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindStaff, Actor: h.actor(c), Outcome: outcome, Detail: d}); err != nil {
		h.Log.Error("staff change not recorded in the audit log", slog.String("change", change), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return &PublicError{Status: http.StatusInternalServerError, Err: err,
			Message: "The change was saved, but recording it in the audit trail failed. Tell whoever runs the back office."}
	}
	return nil
}

// member reads the :id member, or a 404.
func (h *Handlers) member(c echo.Context) (*staff.Member, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, publicError(http.StatusNotFound, "There is no such staff member.")
	}
	m, err := h.Staff.Get(c.Request().Context(), id)
	if errors.Is(err, staff.ErrNotFound) {
		return nil, publicError(http.StatusNotFound, "There is no such staff member.")
	}
	return m, err
}

// addStaff adds a member with a role and an initial password.
func (h *Handlers) addStaff(c echo.Context) error {
	email := strings.TrimSpace(c.FormValue("email"))
	role, roleErr := staff.ParseRole(c.FormValue("role"))
	pw, generated, err := passwordFor(c)
	if err != nil {
		return err
	}
	var msg string
	var m *staff.Member
	if roleErr != nil {
		msg = "Choose a role."
	} else {
		m, err = h.Staff.Add(c.Request().Context(), email, role, pw)
		switch {
		case err == nil:
		case lookalikeMessage(err) != "":
			msg = lookalikeMessage(err)
		case errors.Is(err, staff.ErrBadEmail):
			msg = "Enter an e-mail address such as name@example.com."
		case errors.Is(err, staff.ErrExists):
			msg = "A member with this e-mail already exists."
		case errors.Is(err, staff.ErrBadPassword):
			msg = "The password must be " + strconv.Itoa(staff.MinPasswordLen) + " to " + strconv.Itoa(staff.MaxPasswordLen) + " characters long."
		default:
			return err
		}
	}
	if msg != "" {
		v, err := h.staffView(c)
		if err != nil {
			return err
		}
		v.AddEmail, v.AddError, v.AddRole = email, msg, view.RoleOptions(role)
		return h.renderStaff(c, http.StatusUnprocessableEntity, v)
	}
	if err := h.auditStaff(c, audit.OutcomeSucceeded, m, "add", map[string]string{"role": string(m.Role), "password": passwordSource(generated)}); err != nil {
		return err
	}
	h.Log.Info("staff member added", slog.Int64("staff_id", m.ID), slog.String("role", string(m.Role)), slog.String("request_id", requestIDOf(c)))
	if generated {
		return h.showSecret(c, m, pw)
	}
	h.flash(c, "Added "+m.Email+" as "+view.RoleName(m.Role)+".")
	return redirect(c, "/staff")
}
