package handlers

import (
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/handlers/form"
	"ordercare/web/templates/view"
)

// maxAuditText bounds the free-text filter.
const maxAuditText = 200

// auditDate is the layout of the date filters (an <input type=date>).
const auditDate = "2006-01-02"

// auditFilter reads the audit trail's filters from the URL. Dates are
// whole days in the viewer's zone: "to" is inclusive, so the filter ends at
// the start of the next day. msg explains a filter that cannot be used.
func (h *Handlers) auditFilter(c echo.Context, loc *time.Location) (q view.AuditQuery, f audit.Filter, cursor audit.Cursor, msg string) {
	q = form.AuditQuery(c.QueryParams())
	cursor = audit.Cursor(c.QueryParam("cursor"))
	f = audit.Filter{StaffEmail: strings.ToLower(q.Staff), OrderID: q.Order, Action: q.Action,
		Outcome: audit.Outcome(q.Outcome), Text: q.Text}
	if q.Action != "" && !view.KnownAuditAction(q.Action) {
		return q, f, cursor, "Unknown action."
	}
	if len(q.Text) > maxAuditText {
		return q, f, cursor, "The text filter is too long."
	}
	// The order filter takes the order's id or any of its references
	// (provider, merchant, capture or refund), looked up in the order
	// index; anything else is matched as an order id, as before.
	if o := strings.TrimSpace(q.Order); o != "" && h.Index != nil {
		id, ok, err := h.Index.FindReference(c.Request().Context(), o)
		if err != nil {
			return q, f, cursor, "The order index could not be read; filter by the order id."
		}
		if ok {
			f.OrderID = id
		}
	}
	if q.From != "" {
		t, err := time.ParseInLocation(auditDate, q.From, loc)
		if err != nil {
			return q, f, cursor, "“From” is not a date (YYYY-MM-DD)."
		}
		f.From = t
	}
	if q.To != "" {
		t, err := time.ParseInLocation(auditDate, q.To, loc)
		if err != nil {
			return q, f, cursor, "“To” is not a date (YYYY-MM-DD)."
		}
		f.To = t.AddDate(0, 0, 1)
	}
	if err := f.Validate(); err != nil {
		if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
			return q, f, cursor, "The date range ends before it starts."
		}
		return q, f, cursor, "Unknown outcome."
	}
	return q, f, cursor, ""
}
