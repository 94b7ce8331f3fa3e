package handlers

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"ordercare/internal/gzipbody"
	"ordercare/internal/session"
	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// render renders comp into a buffer first, so a template error still
// becomes a proper error page instead of half a page, then sends it.
func render(c echo.Context, status int, comp templ.Component) error {
	// A pooled buffer: a 12 kB page grew a fresh one five times.
	buf := gzipbody.Buffer()
	defer gzipbody.Release(buf)
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// renderPage sends content inside the full layout.
func renderPage(c echo.Context, status int, p view.Page, content templ.Component) error {
	return render(c, status, templates.Layout(p, content))
}

// respond answers one URL both ways: the fragment for htmx requests, the
// full page (layout + full) otherwise; Vary tells caches it depends.
func respond(c echo.Context, status int, p view.Page, full, fragment templ.Component) error {
	c.Response().Header().Add(echo.HeaderVary, hxRequest)
	if isHTMX(c) {
		return render(c, status, fragment)
	}
	return renderPage(c, status, p, full)
}

// redirect sends the browser to url after a POST (303, so the POST is not
// repeated) or, for htmx, with HX-Redirect.
func redirect(c echo.Context, url string) error {
	if fromHTMX(c) {
		c.Response().Header().Set(hxRedirect, url)
		return c.NoContent(http.StatusOK)
	}
	return c.Redirect(http.StatusSeeOther, url)
}

// page builds the layout's view model for this request. Call it before
// writing anything: it takes the one-time flash message out of the session.
func (h *Handlers) page(c echo.Context, title, nav string) view.Page {
	p := view.Page{Title: title, Env: h.Env, CSRF: csrfToken(c), Nav: nav, Query: c.QueryParam("q")}
	if m := h.currentStaff(c); m != nil {
		p.User = &view.PageUser{Email: m.Email, Role: string(m.Role), Tag: strconv.FormatInt(m.ID, 10)}
		h.approvalsNav(c, &p, m)
	}
	if hasSession(c) {
		p.Flash = h.Sessions.PopString(c.Request().Context(), session.KeyFlash)
	}
	return p
}

// flash stores a one-time confirmation shown on the next page.
func (h *Handlers) flash(c echo.Context, msg string) {
	h.Sessions.Put(c.Request().Context(), session.KeyFlash, msg)
}

// csrfToken is the token the CSRF middleware put in the context.
func csrfToken(c echo.Context) string {
	s, _ := c.Get(csrfContextKey).(string)
	return s
}

// hasSession reports whether the session middleware ran for this request
// (not for static files, /healthz, or errors raised before it).
func hasSession(c echo.Context) bool {
	b, _ := c.Get(sessionLoadedKey).(bool)
	return b
}
