package handlers

import (
	"crypto/rand"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// csrfCookieName is the double-submit cookie's name ("__Host-" when secure).
func (h *Handlers) csrfCookieName() string {
	if h.SecureCookies {
		return "__Host-csrf"
	}
	return "_csrf"
}

// renewCSRF replaces this browser's CSRF token with a new one, at sign-in
// and sign-out, so a token learnt before (by another member of the same
// browser, or from a page of the signed-out session) does not outlive
// them. The cookie the CSRF middleware set on this response is dropped.
func (h *Handlers) renewCSRF(c echo.Context) {
	tok := rand.Text() // 128 random bits (crypto/rand)
	name := h.csrfCookieName()
	hd := c.Response().Header()
	kept := hd.Values("Set-Cookie")[:0:0]
	for _, v := range hd.Values("Set-Cookie") {
		if !strings.HasPrefix(v, name+"=") {
			kept = append(kept, v)
		}
	}
	hd.Del("Set-Cookie")
	for _, v := range kept {
		hd.Add("Set-Cookie", v)
	}
	// Secure follows ORDERCARE_SECURE_COOKIES, as the CSRF middleware's own cookie does.
	c.SetCookie(&http.Cookie{Name: name, Value: tok, Path: "/", Expires: time.Now().Add(csrfCookieAge), // #nosec G124 -- Secure is set whenever served over HTTPS (ORDERCARE_SECURE_COOKIES)
		Secure: h.SecureCookies, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.Set(csrfContextKey, tok)
}

// onlyBodyToken makes the CSRF middleware's form lookup see the _csrf of
// the request body alone: echo's "form:" lookup reads Request.Form, which
// also holds the URL's query, and a token in a URL leaks through logs,
// history and Referer (OWASP CSRF Prevention Cheat Sheet: "never in the
// URL"). formWithinLimit has parsed the body already.
func onlyBodyToken(r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType)); ct == echo.MIMEMultipartForm && r.MultipartForm == nil {
		_ = r.ParseMultipartForm(32 << 10)
	}
	if r.Form == nil {
		_ = r.ParseForm()
	}
	if vs, ok := r.PostForm["_csrf"]; ok {
		r.Form["_csrf"] = vs
	} else {
		delete(r.Form, "_csrf")
	}
}
