package handlers

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"ordercare/internal/gzipbody"
)

// MaxBodyBytes is the largest request body accepted; bigger ones get 413
// before anything parses them.
const MaxBodyBytes = 1 << 20

// Echo builds the server: global middleware, the routes table (plus extra
// rows, for tests), the error handler. Middleware order, outermost first:
// Recover, request id, security headers, access log, gzip (package gzipbody),
// body limit; then, for session routes: scs LoadAndSave, the in-session
// error renderer, load staff, CSRF, and each route's role check.
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
	// Outside accessLog, which renders errors: it counts the status sent.
	e.Use(h.Metrics.Middleware(e))
	e.Use(h.accessLog)
	// Compression with a fixed set of writers, one per core (package gzipbody).
	e.Use(gzipbody.New(runtime.GOMAXPROCS(0)))
	e.Use(middleware.BodyLimit(fmt.Sprintf("%dB", MaxBodyBytes)))
	e.Use(formWithinLimit)

	routes := append(h.Routes(), extra...)
	app := e.Group("")
	app.Use(echo.WrapMiddleware(h.Sessions.LoadAndSave), renderErrorsInside, h.loadStaff, h.csrf(signedOutProtected(routes)))

	for _, rt := range routes {
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

// formWithinLimit parses a form body once, up front, through the body
// limit: a body over 1 MiB sent without Content-Length (chunked) gets 413
// here, instead of the CSRF check and the handler silently reading a
// truncated form (FormValue drops the parse error).
func formWithinLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Body != nil && r.Body != http.NoBody {
			var he *echo.HTTPError
			if err := r.ParseForm(); errors.As(err, &he) && he.Code == http.StatusRequestEntityTooLarge {
				return he
			}
		}
		return next(c)
	}
}

func prefixToIPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}
