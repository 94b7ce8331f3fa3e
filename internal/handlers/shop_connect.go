package handlers

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/web/templates"
	"ordercare/web/templates/view"
)

// ShopConnector is a shop platform that an admin connects with OAuth's
// authorization-code flow (Ucommerce): the platform's connect page, the
// code exchanged at the callback, and whether a refresh token is stored.
type ShopConnector interface {
	AuthorizeURL(redirectURI, state string) string
	Exchange(ctx context.Context, code, redirectURI string) error
	Connected(ctx context.Context) (bool, time.Time, error)
}

// shopConnectStateKey holds the state of a connect in progress in the
// admin's session; the callback accepts only that state, once.
const shopConnectStateKey = "shop_connect_state"

// shopConnectCallback is the callback path; ORDERCARE_SHOP_REDIRECT_URL
// must end in it.
const shopConnectCallback = "/shop/connect/callback"

// showShopConnect is GET /shop/connect: whether the shop is connected, and
// the button that (re)connects it.
func (h *Handlers) showShopConnect(c echo.Context) error {
	if h.ShopConnect == nil {
		return publicError(http.StatusNotFound, "The configured shop platform is not connected with a sign-in (see the README's \"The shop's order\").")
	}
	v := view.ShopConnectView{Platform: h.shopName(), CSRF: csrfToken(c)}
	ok, exp, err := h.ShopConnect.Connected(c.Request().Context())
	switch {
	case err != nil:
		v.Problem = "The stored authorization could not be read: " + err.Error()
	case ok:
		v.Connected, v.Expires = true, exp.In(agentZone(c)).Format("2 January 2006")
	}
	// The connect button's form is answered with a redirect to the
	// platform's connect page, and browsers hold such a redirect to the
	// page's form-action (Chromium refused it under 'self' alone): this
	// page, and no other, also allows the platform's origin.
	if u, err := url.Parse(h.ShopConnect.AuthorizeURL(h.shopRedirect(c), "")); err == nil && u.Scheme != "" && u.Host != "" {
		origin := u.Scheme + "://" + u.Host
		c.Response().Header().Set("Content-Security-Policy",
			strings.Replace(contentSecurityPolicy, "form-action 'self'", "form-action 'self' "+origin, 1))
	}
	p := h.page(c, "Connect the shop", view.NavStaff)
	return renderPage(c, http.StatusOK, p, templates.ShopConnectPage(p, v))
}

// startShopConnect is POST /shop/connect: a fresh state in the session,
// then the platform's connect page.
func (h *Handlers) startShopConnect(c echo.Context) error {
	if h.ShopConnect == nil {
		return publicError(http.StatusNotFound, "No shop to connect.")
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	state := hex.EncodeToString(b)
	h.Sessions.Put(c.Request().Context(), shopConnectStateKey, state)
	return c.Redirect(http.StatusSeeOther, h.ShopConnect.AuthorizeURL(h.shopRedirect(c), state))
}

// finishShopConnect is GET /shop/connect/callback?code=…&state=…: the
// state must be the one this admin's session started (else a forged link
// could connect the shop to someone else's account); the code is
// exchanged and the refresh token stored before anything uses it.
func (h *Handlers) finishShopConnect(c echo.Context) error {
	if h.ShopConnect == nil {
		return publicError(http.StatusNotFound, "No shop to connect.")
	}
	ctx := c.Request().Context()
	want := h.Sessions.PopString(ctx, shopConnectStateKey)
	got := c.QueryParam("state")
	if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
		h.flash(c, "The shop was not connected: the answer did not belong to a connect started here (state mismatch). Start again.")
		return redirect(c, "/shop/connect")
	}
	if e := c.QueryParam("error"); e != "" {
		h.flash(c, "The shop was not connected: the platform answered "+e+".")
		return redirect(c, "/shop/connect")
	}
	if err := h.ShopConnect.Exchange(ctx, c.QueryParam("code"), h.shopRedirect(c)); err != nil {
		h.Log.Warn("connecting the shop failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		h.flash(c, "The shop was not connected: "+err.Error())
		return redirect(c, "/shop/connect")
	}
	h.flash(c, "The shop is connected.")
	return redirect(c, "/shop/connect")
}

// shopRedirect is the callback URL: the configured one (as whitelisted in
// the platform), else this server's own address (the built-in sandbox,
// which whitelists any).
func (h *Handlers) shopRedirect(c echo.Context) string {
	if h.ShopRedirect != "" {
		return h.ShopRedirect
	}
	return c.Scheme() + "://" + c.Request().Host + shopConnectCallback
}

// shopName is the platform's name on the panel.
func (h *Handlers) shopName() string {
	if n, ok := h.Shop.(interface{ Name() string }); ok {
		return n.Name()
	}
	return shopPlatformName
}
