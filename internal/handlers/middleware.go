package handlers

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows only our own files: no inline script, no
// eval, no framing, forms post only to us.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders sets the headers every response carries. Pages are never
// cached (they hold order and customer data); the static handler overrides
// Cache-Control for its immutable, content-hashed files.
func (h *Handlers) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		hd := c.Response().Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set(echo.HeaderCacheControl, "no-store")
		if h.SecureCookies {
			hd.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return next(c)
	}
}

const (
	requestIDKey   = "request_id"
	staffKey       = "staff"
	csrfContextKey = "csrf"
	// sessionLoadedKey marks requests that passed the session middleware.
	sessionLoadedKey = "session_loaded"
)

// requestID gives every request a fresh random id (never the client's), in
// the context, the X-Request-ID response header and the error pages.
func requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id := hex.EncodeToString(b[:])
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func requestIDOf(c echo.Context) string {
	s, _ := c.Get(requestIDKey).(string)
	return s
}

// accessLog writes one line per request: method, route pattern (never the
// raw URL, whose query may hold an e-mail), status, duration and staff id.
func (h *Handlers) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			// Errors from before the session group (body limit, no route
			// outside it) are rendered here so the line has the real status.
			c.Error(err)
		}
		status := c.Response().Status
		attrs := []any{
			slog.String("method", c.Request().Method),
			slog.String("route", c.Path()),
			slog.Int("status", status),
			slog.Int64("duration_ms", time.Since(start).Milliseconds()),
			slog.String("request_id", requestIDOf(c)),
		}
		if m := h.currentStaff(c); m != nil {
			attrs = append(attrs, slog.Int64("staff_id", m.ID))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		h.Log.Log(c.Request().Context(), level, "request", attrs...)
		return nil
	}
}

// clientIPExtractor reads the client address from the connection, or from
// X-Forwarded-For only when the direct peer is the configured proxy.
func (h *Handlers) clientIPExtractor() echo.IPExtractor {
	if !h.TrustedProxy.IsValid() {
		return echo.ExtractIPDirect()
	}
	return echo.ExtractIPFromXFFHeader(
		echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false),
		echo.TrustIPRange(prefixToIPNet(h.TrustedProxy)),
	)
}

// userAgent is the caller's User-Agent, cut to a sane length for the audit log.
func userAgent(c echo.Context) string {
	ua := c.Request().UserAgent()
	if len(ua) > 256 {
		ua = ua[:256]
	}
	return strings.ToValidUTF8(ua, "?")
}
