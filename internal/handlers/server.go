package handlers

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// MaxBodyBytes is the largest request body accepted; bigger ones get 413
// before anything parses them.
const MaxBodyBytes = 1 << 20

// Echo builds the server: global middleware, the routes table (plus extra
// rows, for tests), the error handler. Middleware order, outermost first:
// Recover, request id, security headers, access log, gzip, body limit; then,
// for session routes: scs LoadAndSave, the in-session error renderer, load
// staff, CSRF, and each route's role check.
func (h *Handlers) Echo(extra ...Route) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner, e.HidePort, e.Debug = true, true, false
	e.IPExtractor = h.clientIPExtractor()
	e.HTTPErrorHandler = h.handleError
	h.Sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		h.Log.Error("session store failed", slog.Any("err", err))
		http.Error(w, "The back office could not load your session. Try again in a moment.", http.StatusInternalServerError)
	}

	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableErrorHandler: false,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			h.Log.Error("panic", slog.String("route", c.Path()), slog.String("request_id", requestIDOf(c)), slog.Any("err", err), slog.String("stack", string(stack)))
			return err
		},
	}))
	e.Use(requestID)
	e.Use(h.securityHeaders)
	e.Use(h.accessLog)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{MinLength: 1024}))
	e.Use(middleware.BodyLimit(fmt.Sprintf("%dB", MaxBodyBytes)))

	app := e.Group("")
	app.Use(echo.WrapMiddleware(h.Sessions.LoadAndSave), renderErrorsInside, h.loadStaff, h.csrf())

	for _, rt := range append(h.Routes(), extra...) {
		if rt.Auditor && rt.Method != http.MethodGet {
			return nil, fmt.Errorf("handlers: route %s %s: auditors may only use GET routes", rt.Method, rt.Path)
		}
		if rt.NoSession && !rt.Public {
			return nil, fmt.Errorf("handlers: route %s %s: a route without session must be public", rt.Method, rt.Path)
		}
		var r *echo.Route
		if rt.NoSession {
			r = e.Add(rt.Method, rt.Path, rt.Handler)
		} else {
			r = app.Add(rt.Method, rt.Path, rt.Handler, h.authorize(rt))
		}
		r.Name = rt.Name
	}
	return e, nil
}

func prefixToIPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
