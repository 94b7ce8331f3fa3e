package handlers

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The four-eyes approval pages: the list at /approvals here, the
// navigation item with its count in approvals_nav.go, and the order page's
// panel in approvals_panel.go. One request's page is in approvals_detail.go,
// its decisions in approvals_decide.go and approvals_refused.go.

// approvalViewer is the signed-in member as the approval views need them.
func (h *Handlers) approvalViewer(c echo.Context, m *staff.Member) view.ApprovalViewer {
	if m == nil {
		return view.ApprovalViewer{}
	}
	return view.ApprovalViewer{StaffID: m.ID, Role: string(m.Role), Numbers: h.numbers(c)}
}

// errApprovalsOff answers the approval pages when the feature is off.
func errApprovalsOff() error {
	return publicError(http.StatusNotFound, "Four-eyes approval is not set up in this back office.")
}

// showApprovals is GET /approvals: the requests of one status tab
// (?status=waiting|open|decided|all), everyone's for supervisors, admins
// and the auditor, an agent's own for agents.
func (h *Handlers) showApprovals(c echo.Context) error {
	if h.Approvals == nil {
		return errApprovalsOff()
	}
	ctx := c.Request().Context()
	// Close what is due first, so the queue never offers an expired
	// request (the worker does the same every minute).
	if _, err := h.Approvals.ExpireDue(ctx); err != nil && ctx.Err() == nil {
		h.Log.Warn("expiring approval requests failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	m := h.currentStaff(c)
	viewer := h.approvalViewer(c, m)
	tab := view.ApprovalTabOf(c.QueryParam("status"))
	f := approvalTabFilter(tab)
	if !viewer.AllRequests() {
		f.RequestedBy = viewer.StaffID
	}
	rs, err := h.Approvals.List(ctx, f)
	if err != nil {
		return err
	}
	v := view.NewApprovalsList(tab, rs, viewer, h.now(), agentZone(c))
	names := map[string]string{}
	for i := range v.Rows {
		id := v.Rows[i].OrderID
		if _, ok := names[id]; !ok {
			names[id] = h.indexedCustomer(c, id)
		}
		v.Rows[i].Customer = names[id]
	}
	return renderPage(c, http.StatusOK, h.page(c, "Approvals", view.NavApprovals), templates.ApprovalsPage(v))
}

// approvalFor reads the request of the URL's :id, as the signed-in member
// may see it: an agent sees only their own (anyone else's is answered as
// not found, like a forged id).
func (h *Handlers) approvalFor(c echo.Context) (approvals.Request, error) {
	if h.Approvals == nil {
		return approvals.Request{}, errApprovalsOff()
	}
	id := c.Param("id")
	r, err := h.Approvals.Get(c.Request().Context(), id)
	if errors.Is(err, approvals.ErrNotFound) {
		return r, publicError(http.StatusNotFound, "“"+id+"” is not an approval request. Open it from the list of approvals.")
	}
	if err != nil {
		return r, err
	}
	if viewer := h.approvalViewer(c, h.currentStaff(c)); !viewer.AllRequests() && r.RequestedBy.StaffID != viewer.StaffID {
		return approvals.Request{}, publicError(http.StatusNotFound, "“"+id+"” is not an approval request. Open it from the list of approvals.")
	}
	return r, nil
}

// indexedCustomer is the customer's name of an order from the order index
// (the order was read, so indexed, when its request was made); "" when
// it is not there. A failed read leaves the name out rather than failing
// the page.
func (h *Handlers) indexedCustomer(c echo.Context, orderID string) string {
	if h.Index == nil {
		return ""
	}
	o, found, err := h.Index.Get(c.Request().Context(), orderID)
	if err != nil {
		h.Log.Warn("reading an order's customer from the index failed", slog.String("order_id", orderID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	if !found {
		return ""
	}
	return o.CustomerName
}

// approvalTabFilter is the store's list filter of a tab: waiting is the queue
// (pending, oldest first); the others newest first.
func approvalTabFilter(tab string) approvals.ListFilter {
	switch tab {
	case view.TabOpen:
		return approvals.ListFilter{Statuses: []approvals.Status{approvals.StatusPending, approvals.StatusApproved, approvals.StatusUnknown}}
	case view.TabDecided:
		return approvals.ListFilter{Statuses: []approvals.Status{approvals.StatusExecuted, approvals.StatusFailed,
			approvals.StatusRejected, approvals.StatusWithdrawn, approvals.StatusExpired}}
	case view.TabAll:
		return approvals.ListFilter{}
	}
	return approvals.ListFilter{Statuses: []approvals.Status{approvals.StatusPending}, OldestFirst: true}
}
