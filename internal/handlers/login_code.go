package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/internal/audit"
	"ordercare/internal/session"
	"ordercare/internal/staff"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// pendingFor is how long a right password waits for its second factor.
const pendingFor = 5 * time.Minute

// askSecondFactor is the end of a right password for a member with a
// second factor: the session (new token, nobody signed in) remembers whom
// the password was for, and the browser goes to the code form.
func (h *Handlers) askSecondFactor(c echo.Context, m *staff.Member, next string) error {
	return h.askSecondFactorVia(c, m, "", next)
}

// askSecondFactorVia is askSecondFactor after a sign-in by method ("sso";
// "": password), which the pending sign-in remembers for its audit event.
func (h *Handlers) askSecondFactorVia(c echo.Context, m *staff.Member, method, next string) error {
	ctx := c.Request().Context()
	if err := h.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	h.renewCSRF(c)
	for _, k := range []string{session.KeyStaffID, session.KeyAuthTime, session.KeySecondFactor, pendingMethodKey} {
		h.Sessions.Remove(ctx, k)
	}
	h.Sessions.Put(ctx, session.KeyPendingStaffID, m.ID)
	h.Sessions.Put(ctx, session.KeyPendingAt, h.now().UnixNano())
	if method != "" {
		h.Sessions.Put(ctx, pendingMethodKey, method)
	}
	target := "/login/code"
	if next != "/" {
		target += "?next=" + url.QueryEscape(next)
	}
	return redirect(c, target)
}

// pendingMember is the member whose password was right in this session
// within pendingFor, or nil (none, too old, disabled since).
func (h *Handlers) pendingMember(c echo.Context) (*staff.Member, error) {
	ctx := c.Request().Context()
	id := h.Sessions.GetInt64(ctx, session.KeyPendingStaffID)
	at := time.Unix(0, h.Sessions.GetInt64(ctx, session.KeyPendingAt))
	if id == 0 || h.now().Sub(at) > pendingFor {
		return nil, nil
	}
	m, err := h.Staff.Get(ctx, id)
	if errors.Is(err, staff.ErrNotFound) || (m != nil && (m.Disabled || at.Before(m.SessionsValidAfter))) {
		return nil, nil
	}
	return m, err
}

// noPendingSignIn answers the code form when no password waits for its
// code (too slow, or never given): the sign-in form, saying why.
func (h *Handlers) noPendingSignIn(c echo.Context) error {
	next := safeNext(c.QueryParam("next"))
	if c.Request().Method == http.MethodPost {
		next = safeNext(c.FormValue("next"))
	}
	return h.renderLogin(c, http.StatusUnauthorized, view.LoginForm{Next: nextField(next),
		Error: "Your sign-in took longer than " + strconv.Itoa(int(pendingFor/time.Minute)) + " minutes or was not started. Sign in again."})
}

// showLoginCode is the code form of a pending sign-in.
func (h *Handlers) showLoginCode(c echo.Context) error {
	m, err := h.pendingMember(c)
	if err != nil {
		return err
	}
	if m == nil {
		return h.noPendingSignIn(c)
	}
	return h.renderLoginCode(c, http.StatusOK, view.CodeForm{Next: nextField(safeNext(c.QueryParam("next")))})
}

func (h *Handlers) renderLoginCode(c echo.Context, status int, f view.CodeForm) error {
	if h.passkeysOn() {
		m, err := h.pendingMember(c)
		if err != nil {
			return err
		}
		if m != nil {
			if f.Passkeys, err = h.Staff.HasPasskey(c.Request().Context(), m.ID); err != nil {
				return err
			}
		}
	}
	p := h.page(c, "Second factor", "")
	return renderPage(c, status, p, templates.LoginCode(p, f))
}

// submitLoginCode checks the code of a pending sign-in (throttled like
// passwords) and completes the sign-in.
func (h *Handlers) submitLoginCode(c echo.Context) error {
	m, err := h.pendingMember(c)
	if err != nil {
		return err
	}
	if m == nil {
		return h.noPendingSignIn(c)
	}
	next := safeNext(c.FormValue("next"))
	form := view.CodeForm{Next: nextField(next)}
	ip := c.RealIP()
	factor, err := h.Staff.VerifySecondFactor(c.Request().Context(), m, c.FormValue("code"), ip)
	if err != nil {
		status, msg, ok := h.codeRefused(c, m, audit.Actor{StaffID: m.ID, Email: m.Email, Role: string(m.Role), ClientIP: ip, UserAgent: userAgent(c)}, err)
		if !ok {
			return err
		}
		form.Error = msg
		return h.renderLoginCode(c, status, form)
	}
	return h.completeSignInVia(c, m, factor, h.pendingMethod(c), next)
}
