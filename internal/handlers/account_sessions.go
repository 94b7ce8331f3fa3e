package handlers

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// sessionID names a session on the page and in its form: a hash of the
// token, never the token itself (which is the session's credential).
func sessionID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:12])
}

// eachSessionOf runs fn with the context of every live session of member
// id (scs's Iterate over the session store; a back office has few).
func (h *Handlers) eachSessionOf(ctx context.Context, id int64, fn func(sctx context.Context, token string) error) error {
	return h.Sessions.Iterate(ctx, func(sctx context.Context) error {
		if h.Sessions.GetInt64(sctx, session.KeyStaffID) != id {
			return nil
		}
		return fn(sctx, h.Sessions.Token(sctx))
	})
}

// sessionRows lists the member's sessions, newest sign-in first.
func (h *Handlers) sessionRows(c echo.Context, m *staff.Member) ([]view.SessionRow, error) {
	ctx := c.Request().Context()
	current := h.Sessions.Token(ctx)
	type row struct {
		view.SessionRow
		at int64
	}
	var rows []row
	err := h.eachSessionOf(ctx, m.ID, func(sctx context.Context, token string) error {
		at := h.Sessions.GetInt64(sctx, session.KeyAuthTime)
		if time.Unix(0, at).Before(m.SessionsValidAfter) {
			return nil // void already (password changed, revoked)
		}
		browser := h.Sessions.GetString(sctx, session.KeyUserAgent)
		if browser == "" {
			browser = "an unknown browser"
		}
		rows = append(rows, row{view.SessionRow{ID: sessionID(token), Browser: browser, Current: token == current,
			SignedIn: h.showTime(c, time.Unix(0, at))}, at})
		return nil
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].at > rows[j].at })
	out := make([]view.SessionRow, len(rows))
	for i, r := range rows {
		out[i] = r.SessionRow
	}
	return out, err
}

// endOwnSession signs the member out of one of their other sessions.
func (h *Handlers) endOwnSession(c echo.Context) error {
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	want, current := c.Param("id"), h.Sessions.Token(ctx)
	ended := false
	err := h.eachSessionOf(ctx, m.ID, func(sctx context.Context, token string) error {
		if token == current || sessionID(token) != want {
			return nil
		}
		ended = true
		return h.Sessions.Destroy(sctx)
	})
	if err != nil {
		return err
	}
	if !ended {
		return publicError(http.StatusNotFound, "That session has ended already.")
	}
	h.appendAudit(c, audit.Event{Kind: audit.KindSignOut, Actor: h.actor(c),
		Detail: map[string]string{"session": want, "ended_by": "self", "target_id": strconv.FormatInt(m.ID, 10)}})
	h.Log.Info("own session ended", slog.Int64("staff_id", m.ID), slog.String("request_id", requestIDOf(c)))
	h.flash(c, "Signed out of that session.")
	return redirect(c, "/account")
}
