package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// The four-eyes approval pages: the list at /approvals, the
// navigation item with its count, and the order page's panel. One
// request's page and the decisions are in approvals_detail.go.

// recentClosed is how many closed requests the order page lists.
const recentClosed = 3

// approvalViewer is the signed-in member as the approval views need them.
func (h *Handlers) approvalViewer(c echo.Context, m *staff.Member) view.ApprovalViewer {
	if m == nil {
		return view.ApprovalViewer{}
	}
	return view.ApprovalViewer{StaffID: m.ID, Role: string(m.Role), Numbers: h.numbers(c)}
}

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

// orderApprovals is the order page's panel: the order's open requests and
// the last few closed ones. Agents see every open request on the order
// (so nobody refunds it twice) but open only their own. A failed read
// leaves the panel empty rather than failing the order page.
func (h *Handlers) orderApprovals(c echo.Context, orderID string) view.ApprovalPanel {
	return h.approvalPanel(c, orderID, h.readApprovals(c.Request().Context(), orderID))
}

// approvalReads are an order's four-eyes requests, oldest first.
type approvalReads struct {
	requests []approvals.Request
	err      error
}

// readApprovals reads them; it needs only the order id, so the order page
// runs it beside the provider read.
func (h *Handlers) readApprovals(ctx context.Context, orderID string) approvalReads {
	if h.Approvals == nil {
		return approvalReads{}
	}
	rs, err := h.Approvals.List(ctx, approvals.ListFilter{OrderID: orderID, OldestFirst: true})
	return approvalReads{requests: rs, err: err}
}

// approvalPanel is orderApprovals from requests already read.
func (h *Handlers) approvalPanel(c echo.Context, orderID string, r approvalReads) view.ApprovalPanel {
	p := view.ApprovalPanel{Loaded: true, OrderID: orderID, CSRF: csrfToken(c)}
	if h.Approvals == nil {
		return p
	}
	rs, err := r.requests, r.err
	if err != nil {
		h.Log.Warn("reading the order's approval requests failed", slog.String("order_id", orderID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return p
	}
	viewer := h.approvalViewer(c, h.currentStaff(c))
	now, loc := h.now(), agentZone(c)
	for i := len(rs) - 1; i >= 0; i-- {
		it := view.NewApprovalItem(rs[i], viewer, now, loc)
		if !viewer.AllRequests() && !it.Own {
			it.Href = ""
		}
		switch {
		case it.Open:
			p.Open = append([]view.ApprovalItem{it}, p.Open...)
		case len(p.Recent) < recentClosed:
			p.Recent = append(p.Recent, it)
		}
	}
	return p
}

// showOrderApprovals is GET /orders/:id/approvals: the panel alone, for
// an order page rendered without it (htmx loads it into place).
func (h *Handlers) showOrderApprovals(c echo.Context) error {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		return publicError(http.StatusNotFound, "Not an order id.")
	}
	return render(c, http.StatusOK, templates.OrderApprovals(h.orderApprovals(c, id)))
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
