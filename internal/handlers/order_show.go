package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// showOrder is the order page: a fresh read from the provider (which also
// refreshes the index), recorded as opened by this member. A provider
// failure is shown as a page that says what happened, with the error code
// and correlation id, never a blank page.
func (h *Handlers) showOrder(c echo.Context) error {
	id := c.Param("id")
	if !omclient.ValidOrderID(id) {
		v := view.ProviderErrorView{Kind: view.ErrKindNotFound, Status: http.StatusNotFound, Heading: "Not an order id",
			Message: "“" + id + "” is not an order id: order ids have 32 hexadecimal digits in groups of 8-4-4-4-12. Use the search box to find an order by reference, e-mail or name."}
		return renderPage(c, v.Status, h.page(c, v.Heading, view.NavOrders), templates.OrderError(v))
	}
	// Our own records of the order (its history, its four-eyes requests)
	// need only its id: read them while the provider answers, so the page
	// costs the provider's latency rather than the provider's plus ours.
	var hist historyReads
	var appr approvalReads
	ours := make(chan struct{})
	go func() {
		defer close(ours)
		hist = h.readHistory(c.Request().Context(), id)
		appr = h.readApprovals(c.Request().Context(), id)
	}()
	sr := h.startShopRead(c.Request().Context(), id)
	o, err := h.readOrder(c, id)
	<-ours
	if err != nil {
		if c.Request().Context().Err() != nil {
			return err // the agent went away
		}
		v := view.FromProviderError(omclient.FailureOf(err), id, h.Provider)
		return renderPage(c, v.Status, h.page(c, v.Heading, view.NavOrders), templates.OrderError(v))
	}
	now := h.now()
	if m := h.currentStaff(c); m != nil {
		if err := h.Index.RecordView(c.Request().Context(), m.ID, o.OrderID, now); err != nil {
			// The start page's list is a convenience; the order still shows.
			h.Log.Warn("recording an order view failed", slog.String("order_id", o.OrderID),
				slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		}
	}
	v := view.FromOrder(o, h.Provider, orderChoices(o, h.Provider, now), now, agentZone(c), h.orderNumbers(c, o))
	if m := h.currentStaff(c); m != nil && !m.Role.Allows(staff.RoleAgent, false) {
		v.ReadOnlyRole = view.RoleName(m.Role)
	}
	v.History, v.HistoryLoaded = h.historyItems(c, o, hist)
	v.Unsettled = h.unsettledPanel(c, o, hist)
	v.Approvals = h.approvalPanel(c, o.OrderID, appr)
	v.Notes = h.notesPanel(c, o.OrderID, hist)
	v.Shop = h.shopPanel(c, o, sr, v.Actions)
	if hist.err == nil {
		v.Shop.Missing = h.shopMissing(c, o.OrderID, hist.attempts)
	}
	p := h.page(c, v.Title, view.NavOrders)
	// The confirmation of a change sits inside #order-page, where an htmx
	// submit puts it too, rather than in the layout.
	v.Flash, p.Flash = p.Flash, ""
	return renderPage(c, noteStatus(c), p, templates.OrderPage(v))
}

// readOrder reads an order through the order service, bounded by the
// configured provider timeout, and logs a provider failure with its code
// and correlation id (never customer data).
func (h *Handlers) readOrder(c echo.Context, id string) (*omclient.Order, error) {
	ctx := c.Request().Context()
	if h.OMTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.OMTimeout)
		defer cancel()
	}
	o, err := h.Orders.GetOrderForPage(ctx, id)
	if err != nil && c.Request().Context().Err() == nil {
		v := view.FromProviderError(omclient.FailureOf(err), id, h.Provider)
		h.Log.Warn("reading an order failed", slog.String("order_id", id), slog.String("kind", v.Kind),
			slog.String("code", v.Code), slog.String("correlation_id", v.CorrelationID),
			slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
	}
	return o, err
}

// orderChoices decides what the order page offers on o at now, by the
// pipeline's rules for provider p: the page shows the actions a submit
// would be allowed, and the amount a refund may still take.
func orderChoices(o *omclient.Order, p omclient.Provider, now time.Time) view.OrderChoices {
	ch := view.OrderChoices{Actions: orders.Actions(o, p, now), Refundable: orders.Refundable(o)}
	for i := range o.Captures {
		ch.CaptureActions = append(ch.CaptureActions, orders.CaptureActions(o, &o.Captures[i], p, now))
	}
	return ch
}
