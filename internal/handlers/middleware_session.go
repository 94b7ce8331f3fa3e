package handlers

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"ordercare/internal/session"
	"ordercare/internal/staff"
)

// renderErrorsInside sits directly inside the scs wrapper and renders a
// handler's error there, so the session is committed and its cookie written
// exactly once: echo would otherwise render the error after scs has already
// finished (scs documents the same caveat for echo: its LoadAndSave
// writes the cookie before echo's error handler runs).
func renderErrorsInside(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Set(sessionLoadedKey, true)
		if err := next(c); err != nil {
			c.Error(err)
		}
		return nil
	}
}

// loadStaff loads the signed-in member from the database on every request,
// so disabling an account ends its sessions at once and a role change
// applies to the next request. A session of a disabled member, or one
// authenticated before the member's SessionsValidAfter, is destroyed.
func (h *Handlers) loadStaff(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		id := h.Sessions.GetInt64(ctx, session.KeyStaffID)
		if id == 0 {
			return next(c)
		}
		m, err := h.Staff.Get(ctx, id)
		if err != nil && !errors.Is(err, staff.ErrNotFound) {
			return err
		}
		authTime := time.Unix(0, h.Sessions.GetInt64(ctx, session.KeyAuthTime))
		if m == nil || m.Disabled || authTime.Before(m.SessionsValidAfter) {
			h.Log.Info("session ended: account disabled or sessions revoked", slog.Int64("staff_id", id), slog.String("request_id", requestIDOf(c)))
			if err := h.Sessions.Destroy(ctx); err != nil {
				return err
			}
			return next(c)
		}
		c.Set(staffKey, m)
		return next(c)
	}
}

// currentStaff is the signed-in member, or nil.
func (h *Handlers) currentStaff(c echo.Context) *staff.Member {
	m, _ := c.Get(staffKey).(*staff.Member)
	return m
}

// csrfCookieAge is the CSRF cookie's lifetime: a session's longest.
const csrfCookieAge = 12 * time.Hour

// csrf is echo's CSRF middleware: Sec-Fetch-Site first (same-origin and
// direct navigation pass, cross-site state changes are refused), then the
// double-submit token from the X-CSRF-Token header (htmx) or the _csrf
// field of the form body (never the URL: onlyBodyToken), compared with an HttpOnly, SameSite=Strict cookie.
func (h *Handlers) csrf(signedOutProtected func(echo.Context) bool) echo.MiddlewareFunc {
	name := h.csrfCookieName()
	// #nosec G101 -- the CSRF settings hold a header, form field and cookie name, not a credential; tokens are random per session
	tokenCheck := middleware.CSRFWithConfig(middleware.CSRFConfig{
		TokenLookup:    "header:X-CSRF-Token,form:_csrf",
		ContextKey:     csrfContextKey,
		CookieName:     name,
		CookiePath:     "/",
		CookieMaxAge:   int(csrfCookieAge.Seconds()),
		CookieSecure:   h.SecureCookies,
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteStrictMode,
		ErrorHandler: func(err error, c echo.Context) error {
			if h.currentStaff(c) == nil && signedOutProtected(c) {
				return h.toSignIn(c)
			}
			attrs := []any{slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)),
				slog.String("sec_fetch_site", c.Request().Header.Get(echo.HeaderSecFetchSite))}
			if m := h.currentStaff(c); m != nil {
				attrs = append(attrs, slog.Int64("staff_id", m.ID))
			}
			h.Log.Warn("request refused by CSRF protection", attrs...)
			return publicError(http.StatusForbidden, "This form has expired or was sent from another site. Reload the page and try again.")
		},
	})
	// The token alone lets through a request from a foreign Origin that
	// somehow holds a token (a browser without Sec-Fetch-Site); the
	// standard library's check refuses any state change whose Origin is
	// not this host, and cross-site Sec-Fetch-Site, before the token check.
	origin := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		checked := tokenCheck(next)
		return func(c echo.Context) error {
			if err := origin.Check(c.Request()); err != nil {
				h.Log.Warn("request refused by CSRF protection: foreign origin", slog.String("route", c.Path()),
					slog.String("request_id", requestIDOf(c)), slog.String("sec_fetch_site", c.Request().Header.Get(echo.HeaderSecFetchSite)))
				return publicError(http.StatusForbidden, "This form was sent from another site. Open the back office directly and try again.")
			}
			onlyBodyToken(c.Request())
			return checked(c)
		}
	}
}

// authorize enforces a route's access rule on the server: signed-out
// visitors go to sign-in (and come back afterwards), members without the
// role get 403.
func (h *Handlers) authorize(rt Route) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if rt.Public {
				return next(c)
			}
			m := h.currentStaff(c)
			if m == nil {
				return h.toSignIn(c)
			}
			if !m.Role.Allows(rt.Min, rt.Auditor) {
				h.Log.Warn("access denied", slog.Int64("staff_id", m.ID), slog.String("role", string(m.Role)),
					slog.String("route", rt.Path), slog.String("method", rt.Method), slog.String("request_id", requestIDOf(c)))
				return publicError(http.StatusForbidden, "Your role does not allow this page or action. Ask an admin if you need it.")
			}
			if !rt.BeforeSecondFactor && h.needsSecondFactor(c, m) {
				return h.toEnrolment(c, m)
			}
			return next(c)
		}
	}
}
