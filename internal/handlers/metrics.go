package handlers

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"strings"

	"github.com/labstack/echo/v4"
)

// metrics serves the Prometheus exposition to a scraper bearing
// MetricsToken: 404 when no token is configured (the endpoint does not
// exist), 401 for a missing or wrong token.
func (h *Handlers) metrics(c echo.Context) error {
	if h.Metrics == nil || h.MetricsToken == "" {
		return echo.ErrNotFound
	}
	if !bearerMatches(c.Request().Header.Get(echo.HeaderAuthorization), sha256.Sum256([]byte(h.MetricsToken))) {
		h.Log.Warn("metrics refused: missing or wrong token", slog.String("request_id", requestIDOf(c)))
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="ordercare"`)
		return echo.ErrUnauthorized
	}
	h.Metrics.Handler().ServeHTTP(c.Response(), c.Request())
	return nil
}

// bearerMatches reports whether an Authorization header carries the token
// whose SHA-256 is want. Comparing digests in constant time keeps both the
// token and its length from leaking through timing.
func bearerMatches(header string, want [sha256.Size]byte) bool {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
}
