package handlers

import (
	"log/slog"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// approvalsNav fills the navigation's Approvals item: shown while a
// policy is configured (or requests wait), with the count of waiting
// requests the member may decide (supervisors and admins: not their own,
// nor those of someone who recently managed their account), and the
// count of decisions on their own requests they have not seen yet. A
// failed count hides its badge.
func (h *Handlers) approvalsNav(c echo.Context, p *view.Page, m *staff.Member) {
	if h.Approvals == nil {
		return
	}
	ctx := c.Request().Context()
	p.Approvals = h.Approvals.Policy().Active()
	if m.Role != staff.RoleAuditor {
		n, err := h.Approvals.UnseenCount(ctx, m.ID)
		if err != nil {
			h.Log.Warn("counting decided approval requests failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		}
		p.ApprovalsDecided = n
		p.Approvals = p.Approvals || n > 0
	}
	if m.Role != staff.RoleSupervisor && m.Role != staff.RoleAdmin {
		return
	}
	rs, err := h.decidable(c)
	if err != nil {
		h.Log.Warn("counting approval requests failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return
	}
	p.ApprovalsPending = len(rs)
	p.Approvals = p.Approvals || len(rs) > 0
}

// decidableKey holds, for one request, the requests the member may decide.
const decidableKey = "approvals.decidable"

// decidable is Approvals.Decidable for the signed-in member, read once per
// request: the supervisor's start page lists them and its navigation
// counts them.
func (h *Handlers) decidable(c echo.Context) ([]approvals.Request, error) {
	if rs, ok := c.Get(decidableKey).([]approvals.Request); ok {
		return rs, nil
	}
	rs, err := h.Approvals.Decidable(c.Request().Context(), h.actor(c))
	if err == nil {
		c.Set(decidableKey, rs)
	}
	return rs, err
}
