package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// showLogin renders the sign-in form; signed-in members go straight on.
func (h *Handlers) showLogin(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if h.currentStaff(c) != nil {
		return c.Redirect(http.StatusSeeOther, next)
	}
	return h.renderLogin(c, http.StatusOK, view.LoginForm{Next: nextField(next)})
}

func (h *Handlers) renderLogin(c echo.Context, status int, f view.LoginForm) error {
	f.SSO = h.loginSSO()
	f.Passkeys = h.passkeysOn()
	f.SessionEnded = h.Sessions.GetBool(c.Request().Context(), session.KeySessionEnded)
	f.Demo = h.DemoAccounts
	p := h.page(c, "Sign in", "")
	return renderPage(c, status, p, templates.Login(p, f))
}

// signIn checks the credentials with throttling; a member with a second
// factor goes on to the code form (login_code.go), others are signed in
// (completeSignIn: new session and CSRF tokens, audit event) and return to
// where they were going.
func (h *Handlers) signIn(c echo.Context) error {
	ctx := c.Request().Context()
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := safeNext(c.FormValue("next"))
	form := view.LoginForm{Email: email, Next: nextField(next)}
	ip := c.RealIP()

	m, err := h.Staff.Authenticate(ctx, email, password, ip)
	if err != nil {
		var le *staff.LockedError
		isLocked := errors.As(err, &le)
		if !isLocked && !errors.Is(err, staff.ErrInvalidCredentials) {
			return err
		}
		reason := staff.FailureReason(err)
		h.Log.Warn("sign-in failed", slog.String("reason", reason), slog.String("request_id", requestIDOf(c)))
		who := audit.Actor{Email: auditEmail(email), ClientIP: ip, UserAgent: userAgent(c)}
		h.appendAudit(c, audit.Event{Kind: audit.KindSignInFailed, Actor: who, Reason: reason})
		status := http.StatusUnauthorized
		form.Error = "Wrong e-mail or password."
		if isLocked {
			status = http.StatusTooManyRequests
			form.Error = le.Message(h.now())
			if le.JustLocked {
				h.Log.Warn("sign-in locked", slog.String("scope", le.Scope), slog.Time("until", le.Until), slog.String("request_id", requestIDOf(c)))
				h.appendAudit(c, audit.Event{Kind: audit.KindLockout, Actor: who, Reason: "too many failed sign-ins",
					Detail: map[string]string{"scope": le.Scope, "until": le.Until.UTC().Format("2006-01-02T15:04:05Z")}})
			}
		}
		return h.renderLogin(c, status, form)
	}

	if h.MFA.Offered() {
		has, err := h.Staff.HasSecondFactor(ctx, m.ID)
		if err != nil {
			return err
		}
		if has {
			return h.askSecondFactor(c, m, next)
		}
	}
	return h.completeSignIn(c, m, "", next)
}

// signOut destroys the session server-side, records it, and starts a fresh
// session (new token) for the "signed out" message.
func (h *Handlers) signOut(c echo.Context) error {
	ctx := c.Request().Context()
	m := h.currentStaff(c)
	if _, err := h.Audit.Append(ctx, audit.Event{Kind: audit.KindSignOut, Actor: h.actor(c)}); err != nil {
		h.Log.Error("audit append failed", slog.String("kind", string(audit.KindSignOut)), slog.Any("err", err))
	}
	if err := h.Sessions.Destroy(ctx); err != nil {
		return err
	}
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.renewCSRF(c)
	h.flash(c, "You are signed out.")
	h.Log.Info("signed out", slog.Int64("staff_id", m.ID), slog.String("request_id", requestIDOf(c)))
	return redirect(c, "/login")
}

// safeNext allows only local paths ("/orders/x?y"): never another host
// ("//evil", "/\evil", "https://..."), never the sign-in pages themselves.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") {
		return "/"
	}
	if u.Path == "/login" || u.Path == "/logout" || u.Path == "/login/code" || u.Path == "/login/passkey" {
		return "/"
	}
	return u.RequestURI()
}

// nextField is the hidden field's value: empty when it is just "/".
func nextField(next string) string {
	if next == "/" {
		return ""
	}
	return next
}
