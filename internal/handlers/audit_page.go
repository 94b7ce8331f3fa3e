package handlers

import (
	"errors"
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

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
	return renderPage(c, status, h.page(c, "Audit trail", view.NavAudit), templates.AuditPage(v))
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
