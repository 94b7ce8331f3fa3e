package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/outbox"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// outboxRowsShown caps each list of the /outbox page.
const outboxRowsShown = 50

// showOutbox is the admin's view of outbound events.
func (h *Handlers) showOutbox(c echo.Context) error {
	if h.Outbox == nil {
		// The navigation links here for every admin: say that sending is
		// off and how to turn it on, rather than answer 404.
		p := h.page(c, "Outbound events", view.NavOutbox)
		return renderPage(c, http.StatusOK, p, templates.OutboxPage(p, view.OutboxView{Off: true}))
	}
	ctx := c.Request().Context()
	counts, err := h.Outbox.Counts(ctx)
	if err != nil {
		return err
	}
	v := view.OutboxView{Target: h.Outbox.TargetHost(), Pending: counts.Pending, Failing: counts.Failing,
		Failed: counts.Failed, Delivered: counts.Delivered}
	loc := agentZone(c)
	for _, l := range []struct {
		view string
		dst  *[]view.OutboxRow
	}{{outbox.ViewPending, &v.PendingRows}, {outbox.ViewFailed, &v.FailedRows}, {outbox.ViewDelivered, &v.DeliveredRows}} {
		list, err := h.Outbox.List(ctx, l.view, outboxRowsShown)
		if err != nil {
			return err
		}
		for _, d := range list {
			*l.dst = append(*l.dst, outboxRow(d, loc))
		}
	}
	p := h.page(c, "Outbound events", view.NavOutbox)
	return renderPage(c, http.StatusOK, p, templates.OutboxPage(p, v))
}

func outboxRow(d outbox.Delivery, loc *time.Location) view.OutboxRow {
	const layout = "2 Jan 2006, 15:04:05 MST"
	f := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format(layout)
	}
	r := view.OutboxRow{ID: strconv.FormatInt(d.ID, 10), EventID: d.EventID, OrderID: d.OrderID,
		OrderHref: "/orders/" + url.PathEscape(d.OrderID), Action: d.Action, Outcome: d.Outcome, Attempts: d.Attempts,
		LastError: d.LastError, Created: f(d.CreatedAt), Delivered: f(d.DeliveredAt), Failing: d.Failing()}
	if d.State == outbox.StatePending {
		r.Next = f(d.NextAt)
	}
	return r
}

// retryOutbox makes a failed or failing delivery due now.
func (h *Handlers) retryOutbox(c echo.Context) error {
	if h.Outbox == nil {
		return publicError(http.StatusNotFound, "Outbound events are not configured.")
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return publicError(http.StatusNotFound, "No such outbound event.")
	}
	if err := h.Outbox.Retry(c.Request().Context(), id); err != nil {
		if errors.Is(err, outbox.ErrNotRetryable) {
			return publicError(http.StatusNotFound, "No such undelivered event (it may have been delivered meanwhile).")
		}
		return err
	}
	h.flash(c, "The event will be sent again now.")
	return redirect(c, "/outbox")
}
