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
	return renderPage(c, status, h.page(c, "Staff", templates.NavStaff), templates.StaffPage(v))
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
