package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
	"ordercare/web/templates"
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
	q = view.AuditQueryFrom(c.QueryParams())
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

// canSupervise: supervisors and admins review, check and verify; the
// auditor only reads.
func canSupervise(m *staff.Member) bool {
	return m != nil && m.Role.Allows(staff.RoleSupervisor, false)
}

// showAudit is the audit trail. An htmx request (a filter changed, the
// next page) gets #audit-table only.
func (h *Handlers) showAudit(c echo.Context) error {
	ctx := c.Request().Context()
	loc := agentZone(c)
	q, f, cursor, msg := h.auditFilter(c, loc)
	v := view.AuditView{Query: q, Zone: loc.String(), Error: msg, CSRF: csrfToken(c), CanVerify: canSupervise(h.currentStaff(c)),
		ActionOptions: view.AuditActionOptions(q.Action), OutcomeOptions: view.AuditOutcomeOptions(q.Outcome)}
	status := http.StatusOK
	if msg == "" {
		page, err := h.Audit.Attempts(ctx, f, cursor)
		if err != nil {
			if !errors.Is(err, audit.ErrBadFilter) {
				return err
			}
			v.Error, status = "This page link is not valid any more; start again from the first page.", http.StatusBadRequest
		} else {
			n, err := h.Audit.Count(ctx, f)
			if err != nil {
				return err
			}
			approved, err := h.Audit.Approvals(ctx, page.Rows)
			if err != nil {
				return err
			}
			indexed := map[string]orders.IndexedOrder{}
			numbers := h.numbers(c)
			for _, r := range page.Rows {
				row := view.NewAuditRow(r, loc)
				row.WithApproval(approved[r.AttemptID])
				if _, seen := indexed[r.OrderID]; !seen && r.OrderID != "" && h.Index != nil {
					o, _, err := h.Index.Get(ctx, r.OrderID)
					if err != nil {
						return err
					}
					indexed[r.OrderID] = o
				}
				row.WithOrder(indexed[r.OrderID], r.Amount, numbers)
				v.Rows = append(v.Rows, row)
			}
			v.CountText = view.AuditCountText(n, !f.IsZero())
			if page.Next != "" {
				v.NextHref = q.Href("/audit", string(page.Next))
			}
			if cursor != "" {
				v.FirstHref = q.Href("/audit", "")
			}
			v.ExportHref = q.Href("/audit/export.csv", "")
		}
	} else {
		status = http.StatusBadRequest
	}
	if isHTMX(c) {
		c.Response().Header().Add(echo.HeaderVary, hxRequest)
		return render(c, status, templates.AuditTable(v))
	}
	opts, err := h.staffOptions(c, q.Staff)
	if err != nil {
		return err
	}
	v.StaffOptions = opts
	st, err := h.Audit.VerificationStatus(ctx)
	if err != nil {
		return err
	}
	v.Chain = view.NewChainView(st, h.Audit.CheckpointStatus(), loc)
	pending, err := h.Audit.PendingReviews(ctx)
	if err != nil {
		return err
	}
	v.ReviewText = view.PendingText(pending)
	c.Response().Header().Add(echo.HeaderVary, hxRequest)
	return renderPage(c, status, h.page(c, "Audit trail", templates.NavAudit), templates.AuditPage(v))
}

// staffOptions lists every member's e-mail for the staff filter, plus the
// selected one if it is no longer a member (its attempts still show).
func (h *Handlers) staffOptions(c echo.Context, selected string) ([]view.Option, error) {
	members, err := h.Staff.List(c.Request().Context())
	if err != nil {
		return nil, err
	}
	sel := strings.ToLower(selected)
	emails := map[string]bool{}
	for _, m := range members {
		emails[m.Email] = true
	}
	if sel != "" {
		emails[sel] = true
	}
	list := make([]string, 0, len(emails))
	for e := range emails {
		list = append(list, e)
	}
	sort.Strings(list)
	out := []view.Option{{Value: "", Label: "Anyone", Selected: sel == ""}}
	for _, e := range list {
		out = append(out, view.Option{Value: e, Label: e, Selected: e == sel})
	}
	return out, nil
}

// exportAudit streams the attempts of the current filters as CSV. The
// export is recorded in the audit log before the first byte is sent; if
// that fails nothing is exported.
func (h *Handlers) exportAudit(c echo.Context) error {
	loc := agentZone(c)
	_, f, _, msg := h.auditFilter(c, loc)
	if msg != "" {
		return publicError(http.StatusBadRequest, msg)
	}
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	hd.Set(echo.HeaderContentDisposition, `attachment; filename="ordercare-audit-`+h.now().In(loc).Format("20060102-1504")+`.csv"`)
	n, err := h.Audit.ExportCSVWith(c.Request().Context(), c.Response(), h.actor(c), f, audit.ExportOptions{OrderReferences: h.orderReferences})
	if err != nil {
		if !c.Response().Committed {
			hd.Del(echo.HeaderContentDisposition)
			hd.Del(echo.HeaderContentType)
			return err
		}
		// Headers and part of the file are out: the download breaks off
		// (the browser reports it as failed), and the log says why.
		h.Log.Error("audit export broke off", slog.Int64("rows", n), slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return nil
	}
	h.Log.Info("audit exported", slog.Int64("rows", n), slog.String("request_id", requestIDOf(c)))
	return nil
}

// orderReferences gives the audit export an order's references from the
// order index ("" for an order the index has not seen).
func (h *Handlers) orderReferences(ctx context.Context, orderID string) (provider, merchant string, err error) {
	if h.Index == nil {
		return "", "", nil
	}
	o, _, err := h.Index.Get(ctx, orderID)
	return o.KlarnaReference, o.MerchantReference1, err
}
