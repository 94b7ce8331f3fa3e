package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
)

// codeRefused records a refused second-factor code (audit, log) and says
// what to answer; ok is false for errors that are not a refusal.
func (h *Handlers) codeRefused(c echo.Context, m *staff.Member, who audit.Actor, err error) (status int, msg string, ok bool) {
	var le *staff.LockedError
	isLocked := errors.As(err, &le)
	if !isLocked && !errors.Is(err, staff.ErrBadCode) {
		return 0, "", false
	}
	reason := "wrong_or_used_code"
	if isLocked {
		reason = "locked_" + le.Scope
	}
	h.Log.Warn("second factor refused", slog.Int64("staff_id", m.ID), slog.String("reason", reason), slog.String("request_id", requestIDOf(c)))
	h.appendAudit(c, audit.Event{Kind: audit.KindSecondFactor, Actor: who, Reason: reason,
		Detail: map[string]string{"step": audit.FactorFailed, "target_id": strconv.FormatInt(m.ID, 10), "target_email": m.Email}})
	if !isLocked {
		return http.StatusUnauthorized, "Wrong or already used code. Type the code your app shows now, or an unused recovery code.", true
	}
	h.auditLockout(c, who, le)
	return http.StatusTooManyRequests, le.Message(h.now()), true
}

// auditLockout records the lock-out a failure just caused (none when the
// account or address was locked already).
func (h *Handlers) auditLockout(c echo.Context, who audit.Actor, le *staff.LockedError) {
	if le.JustLocked {
		h.appendAudit(c, audit.Event{Kind: audit.KindLockout, Actor: who, Reason: "too many failed sign-ins",
			Detail: map[string]string{"scope": le.Scope, "until": le.Until.UTC().Format("2006-01-02T15:04:05Z")}})
	}
}

// completeSignIn signs m in: a new session token (no fixation) and CSRF
// token, the audit event (no sign-in the audit log does not know about),
// and the session keys.
func (h *Handlers) completeSignIn(c echo.Context, m *staff.Member, factor, next string) error {
	return h.completeSignInVia(c, m, factor, "", next)
}

// completeSignInVia is completeSignIn of a sign-in by method ("sso";
// "": password), which its audit event names.
func (h *Handlers) completeSignInVia(c echo.Context, m *staff.Member, factor, method, next string) error {
	ctx := c.Request().Context()
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.renewCSRF(c)
	who := audit.Actor{StaffID: m.ID, Email: m.Email, Role: string(m.Role), ClientIP: c.RealIP(), UserAgent: userAgent(c)}
	e := audit.Event{Kind: audit.KindSignIn, Actor: who}
	if factor != "" || method != "" {
		e.Detail = map[string]string{}
	}
	if factor != "" {
		e.Detail["factor"] = factor
		passkeyDetail(c, e.Detail)
	}
	if method != "" {
		e.Detail["method"] = method
	}
	if _, err := h.Audit.Append(ctx, e); err != nil {
		return err
	}
	if factor == staff.FactorRecovery {
		left, err := h.Staff.RecoveryCodesLeft(ctx, m.ID)
		if err != nil {
			return err
		}
		h.appendAudit(c, audit.Event{Kind: audit.KindSecondFactor, Actor: who,
			Detail: map[string]string{"step": audit.FactorRecoveryCodeUsed, "factor": factor, "codes_left": strconv.Itoa(left)}})
		h.flash(c, "You signed in with a recovery code; "+strconv.Itoa(left)+" left. Make new ones on your account page when they run low.")
	}
	h.Sessions.Remove(ctx, session.KeyPendingStaffID)
	h.Sessions.Remove(ctx, session.KeyPendingAt)
	h.Sessions.Remove(ctx, pendingMethodKey)
	h.Sessions.Remove(ctx, session.KeySessionEnded)
	h.Sessions.Put(ctx, session.KeyStaffID, m.ID)
	h.Sessions.Put(ctx, session.KeyAuthTime, h.now().UnixNano())
	h.Sessions.Put(ctx, session.KeyUserAgent, userAgent(c))
	if factor != "" {
		h.Sessions.Put(ctx, session.KeySecondFactor, factor)
	} else {
		h.Sessions.Remove(ctx, session.KeySecondFactor)
	}
	h.Log.Info("signed in", slog.Int64("staff_id", m.ID), slog.String("role", string(m.Role)),
		slog.String("factor", strings.TrimSpace(factor)), slog.String("request_id", requestIDOf(c)))
	return redirect(c, next)
}
