package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
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
	return renderPage(c, http.StatusOK, h.page(c, v.Title, view.NavAudit), templates.AuditAttemptPage(v))
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
		return renderPage(c, http.StatusUnprocessableEntity, h.page(c, v.Title, view.NavAudit), templates.AuditAttemptPage(v))
	}
	if status == audit.ReviewFlagged {
		h.flash(c, "Change flagged.")
	} else {
		h.flash(c, "Change marked as reviewed.")
	}
	return redirect(c, auditBack(c, id))
}
