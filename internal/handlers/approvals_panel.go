package handlers

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// recentClosed is how many closed requests the order page lists.
const recentClosed = 3

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
