package handlers

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// startVerification starts a verification of the chain and the signed
// checkpoints in the background; the page shows its result when done.
func (h *Handlers) startVerification(c echo.Context) error {
	if h.Audit.StartVerification(h.actor(c)) {
		h.flash(c, "Verification started. Reload the page in a moment to see its result.")
	} else {
		h.flash(c, "A verification is already running.")
	}
	return redirect(c, "/audit")
}

// showReviewQueue is the to-review view.
func (h *Handlers) showReviewQueue(c echo.Context) error {
	loc := agentZone(c)
	cursor := c.QueryParam("cursor")
	q, err := h.Audit.ToReview(c.Request().Context(), audit.Cursor(cursor), audit.ReviewOptions{Location: loc})
	if errors.Is(err, audit.ErrBadFilter) {
		return publicError(http.StatusBadRequest, "This page link is not valid any more; start again from the first page.")
	}
	if err != nil {
		return err
	}
	office := fmt.Sprintf("%02d:00–%02d:00, Monday to Friday", audit.DefaultOfficeStart, audit.DefaultOfficeEnd)
	v := view.NewReviewQueueView(q, cursor, loc, office, h.numbers(c))
	v.CSRF = csrfToken(c)
	v.CanReview = canSupervise(h.currentStaff(c))
	return renderPage(c, http.StatusOK, h.page(c, "To review", view.NavAudit), templates.AuditReviewPage(v))
}

// showAuditEvents lists the events that are not order changes.
func (h *Handlers) showAuditEvents(c echo.Context) error {
	kind := c.QueryParam("kind")
	cursor := c.QueryParam("cursor")
	p, err := h.Audit.OtherEvents(c.Request().Context(), audit.Kind(kind), audit.Cursor(cursor))
	if errors.Is(err, audit.ErrBadFilter) {
		return publicError(http.StatusBadRequest, "This page link is not valid any more; start again from the first page.")
	}
	if err != nil {
		return err
	}
	v := view.NewEventsView(p, kind, cursor, agentZone(c), h.numbers(c))
	return renderPage(c, http.StatusOK, h.page(c, "Other events", view.NavAudit), templates.AuditEventsPage(v))
}
