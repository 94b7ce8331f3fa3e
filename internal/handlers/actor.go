package handlers

import (
	"log/slog"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
)

// actor is who is acting, for the audit log.
func (h *Handlers) actor(c echo.Context) audit.Actor {
	a := audit.Actor{ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	if m := h.currentStaff(c); m != nil {
		a.StaffID, a.Email, a.Role = m.ID, m.Email, string(m.Role)
	}
	return a
}

// appendAudit records an event whose loss must not stop the request (a
// failed sign-in); a failure is logged loudly.
func (h *Handlers) appendAudit(c echo.Context, e audit.Event) {
	if _, err := h.Audit.Append(c.Request().Context(), e); err != nil {
		h.Log.Error("audit append failed", slog.String("kind", string(e.Kind)), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
}

// auditEmail keeps what was typed as the account name, bounded.
func auditEmail(s string) string {
	s = strings.ToValidUTF8(strings.ToLower(s), "?")
	if len(s) > 254 {
		s = s[:254]
	}
	return s
}
