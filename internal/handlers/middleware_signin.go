package handlers

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"ordercare/web/templates/view"
)

// toSignIn sends a signed-out visitor to /login?next=<where they were
// going>: the URL itself for a GET, the form's own page for a change sent
// after the session ended (session_ended.go), else the page the form was
// on for a POST (its Referer, when ours), the browser's page for htmx.
func (h *Handlers) toSignIn(c echo.Context) error {
	r := c.Request()
	next := r.URL.RequestURI()
	ended := h.sessionHasEnded(c)
	if ended {
		h.markSessionEnded(c)
	}
	switch {
	case ended && formPage(c) != "":
		next = formPage(c)
	case fromHTMX(c):
		next = localPath(r.Header.Get(hxCurrentURL), r.Host)
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		next = localPath(r.Referer(), r.Host)
	}
	target := "/login"
	if n := safeNext(next); n != "/" {
		target += "?next=" + url.QueryEscape(n)
	}
	if fromHTMX(c) {
		// htmx navigates the whole window to the sign-in page; the body
		// says why to anything that shows the answer instead.
		c.Response().Header().Set(hxRedirect, target)
		if ended {
			return c.HTML(http.StatusUnauthorized, `<p class="form-error" role="alert">`+view.SessionEndedText+`</p>`)
		}
		return c.NoContent(http.StatusUnauthorized)
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// localPath returns the path and query of an absolute URL on our host, or "/".
func localPath(raw, host string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" || (u.Host != "" && u.Host != host) {
		return "/"
	}
	return u.RequestURI()
}
