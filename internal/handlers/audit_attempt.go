package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// attemptView loads one attempt for its detail page.
func (h *Handlers) attemptView(c echo.Context, id string) (view.AttemptView, error) {
	ctx := c.Request().Context()
	a, err := h.Audit.Attempt(ctx, id)
	if errors.Is(err, audit.ErrNotFound) {
		return view.AttemptView{}, publicError(http.StatusNotFound, "There is no attempt with this id in the audit trail.")
	}
	if err != nil {
		return view.AttemptView{}, err
	}
	row, err := h.Audit.AttemptRowByID(ctx, id)
	if err != nil {
		return view.AttemptView{}, err
	}
	reviews, err := h.Audit.Reviews(ctx, id)
	if err != nil {
		return view.AttemptView{}, err
	}
	v := view.NewAttemptView(a, row, reviews, agentZone(c), h.numbers(c))
	v.CSRF = csrfToken(c)
	v.CanReview = canSupervise(h.currentStaff(c))
	v.CanCheck = v.CanReview && (row.Outcome == audit.OutcomeUnknown || row.Outcome == "")
	return v, nil
}

// showAttempt is the detail page of one attempt.
func (h *Handlers) showAttempt(c echo.Context) error {
	v, err := h.attemptView(c, c.Param("id"))
	if err != nil {
		return err
	}
	return renderPage(c, http.StatusOK, h.page(c, v.Title, templates.NavAudit), templates.AuditAttemptPage(v))
}

// proveAttempt downloads the inclusion proofs of the attempt's events in
// the newest signed checkpoint (JSON), which an auditor checks offline
// with the verifier key alone: `admin audit check-proof FILE -key audit.pub`.
func (h *Handlers) proveAttempt(c echo.Context) error {
	id := c.Param("id")
	proofs, err := h.Audit.ProveAttempt(c.Request().Context(), id)
	if errors.Is(err, audit.ErrNotFound) {
		return publicError(http.StatusNotFound, "There is no attempt with this id in the audit trail.")
	}
	if err != nil {
		h.Log.Warn("attempt proof not available", "attempt_id", id, "err", err)
		return publicError(http.StatusConflict, "No signed checkpoint covers this attempt yet (one is signed every 100 events and at least hourly); try again later.")
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="attempt-proof.json"`)
	return c.JSONPretty(http.StatusOK, proofs, "  ")
}

// auditBack is where a review or check returns: a page of the audit trail
// the form named, else the attempt.
func auditBack(c echo.Context, id string) string {
	back := c.FormValue("back")
	if safeNext(back) == back && strings.HasPrefix(back, "/audit") {
		return back
	}
	return view.AttemptHref(id)
}

// reviewAttempt records a supervisor's review ("reviewed" or "flagged",
// with a comment) as a new audit event.
func (h *Handlers) reviewAttempt(c echo.Context) error {
	id := c.Param("id")
	status := audit.ReviewStatus(c.FormValue("status"))
	comment := c.FormValue("comment")
	_, err := h.Audit.Review(c.Request().Context(), h.actor(c), id, status, comment)
	var msg string
	switch {
	case err == nil:
	case errors.Is(err, audit.ErrNotFound):
		return publicError(http.StatusNotFound, "There is no attempt with this id in the audit trail.")
	case errors.Is(err, audit.ErrCommentRequired):
		msg = "Say why you flag this change."
	case errors.Is(err, audit.ErrBadFilter):
		msg = fmt.Sprintf("Choose “Mark reviewed” or “Flag”, with a comment of at most %d characters.", audit.MaxCommentLen)
	default:
		return err
	}
	if msg != "" {
		v, err := h.attemptView(c, id)
		if err != nil {
			return err
		}
		v.Comment, v.Error = comment, msg
		return renderPage(c, http.StatusUnprocessableEntity, h.page(c, v.Title, templates.NavAudit), templates.AuditAttemptPage(v))
	}
	if status == audit.ReviewFlagged {
		h.flash(c, "Change flagged.")
	} else {
		h.flash(c, "Change marked as reviewed.")
	}
	return redirect(c, auditBack(c, id))
}

// checkAttempt reads the attempt's order from the provider now and records
// what it shows (a reconciled event). An unknown outcome of a money change
// is settled when the provider's captures or refunds prove it (as "Check
// now" on the order page does); any other attempt gets what was seen.
func (h *Handlers) checkAttempt(c echo.Context) error {
	id := c.Param("id")
	row, err := h.Audit.AttemptRowByID(c.Request().Context(), id)
	if errors.Is(err, audit.ErrNotFound) {
		return publicError(http.StatusNotFound, "There is no attempt with this id in the audit trail.")
	}
	if err != nil {
		return err
	}
	if (row.Outcome == audit.OutcomeUnknown || row.Outcome == "") && orders.MoneyOp(omclient.Operation(row.Action)) {
		h.flash(c, h.settleMessage(c, id))
		return redirect(c, auditBack(c, id))
	}
	o, err := h.readOrder(c, row.OrderID)
	if err != nil {
		if c.Request().Context().Err() != nil {
			return err
		}
		pe := view.FromProviderError(err, row.OrderID, h.Provider)
		h.flash(c, "The order could not be read from the provider, nothing was recorded: "+pe.Heading+". Try again later.")
		return redirect(c, auditBack(c, id))
	}
	observed := orders.ObservedOrder(o)
	if _, err := h.Audit.Reconciled(c.Request().Context(), h.actor(c), id, observed); err != nil {
		return err
	}
	h.flash(c, "Checked with the provider: "+observedSummary(observed)+". Recorded in the audit trail.")
	return redirect(c, auditBack(c, id))
}

func observedSummary(m map[string]string) string {
	return fmt.Sprintf("status %s, captured %s, refunded %s, %s captures, %s refunds",
		view.StatusText(omclient.Status(m["status"])), m["captured_amount"], m["refunded_amount"], m["captures"], m["refunds"])
}

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
	return renderPage(c, http.StatusOK, h.page(c, "To review", templates.NavAudit), templates.AuditReviewPage(v))
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
	return renderPage(c, http.StatusOK, h.page(c, "Other events", templates.NavAudit), templates.AuditEventsPage(v))
}
