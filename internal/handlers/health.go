package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"ordercare/web/static"
)

// healthz answers 200 when admin.db answers a query, 503 otherwise. It
// needs no session, so probes do not create any.
func (h *Handlers) healthz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := h.DB.Ping(ctx); err != nil {
		h.Log.Error("health check failed", slog.Any("err", err))
		return c.String(http.StatusServiceUnavailable, "database unavailable\n")
	}
	return c.String(http.StatusOK, "ok\n")
}

// static serves the embedded, content-hashed assets; their names change
// with their content, so browsers may keep them for a year.
func (h *Handlers) static(c echo.Context) error {
	a, ok := static.Lookup(c.Param("*"))
	if !ok {
		return echo.ErrNotFound
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Blob(http.StatusOK, a.ContentType, a.Body)
}
