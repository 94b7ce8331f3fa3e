package handlers

import (
	"errors"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// approvalIntent adds to a request's page the order's other captures,
// refunds and requests, and, for a decider of a pending request, what the
// intent rule says about approving it: identical changes to confirm, or an
// unknown outcome to check first.
// o is the order as the page just read it (nil when that failed).
func (h *Handlers) approvalIntent(c echo.Context, r approvals.Request, o *omclient.Order, v *view.ApprovalDetailView) {
	ctx, now, loc, numbers := c.Request().Context(), h.now(), agentZone(c), h.numbers(c)
	all, err := h.Orders.RecentChanges(ctx, r.OrderID, time.Time{})
	if err != nil {
		h.Log.Warn("reading the order's changes for an approval failed", slog.String("approval_id", r.ID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	for _, p := range all {
		if p.ApprovalID == r.ID {
			continue
		}
		v.Others = append(v.Others, view.PriorLine(p, numbers, now, loc))
	}
	if !v.Item.CanDecide || r.Status != approvals.StatusPending {
		return
	}
	err = h.Approvals.Intent(ctx, r, o, "")
	var twin *orders.TwinError
	var unsettled *orders.UnsettledError
	switch {
	case errors.As(err, &twin):
		v.Intent = view.TwinIntent(twin, numbers, now, loc)
		v.Intent.Heading = "This request is identical to a change already made or waiting"
	case errors.As(err, &unsettled):
		v.Intent = view.UnsettledIntent(unsettled, view.OrderPath(r.OrderID), numbers, now, loc)
		v.Intent.Heading = "An earlier change on this order has an unknown outcome: check it before approving"
	}
}

// isIntentError reports whether err is the intent rule's refusal.
func isIntentError(err error) bool {
	return errors.As(err, new(*orders.TwinError)) || errors.As(err, new(*orders.UnsettledError))
}
