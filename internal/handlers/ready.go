package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// readyTimeout bounds each part of a readiness check; the parts run side
// by side, so a probe waits at most this long.
const readyTimeout = 2 * time.Second

// readyPart is one thing /readyz needs: its name on the 503 page and its
// check.
type readyPart struct {
	name  string
	check func(context.Context) error
}

// readyParts are admin.db (a query), the audit log (writable without
// appending: audit.Log.Writable) and, when set, the provider (the last
// call's outcome, or a light probe: metrics.Provider.Reachable).
func (h *Handlers) readyParts() []readyPart {
	parts := []readyPart{
		{"database", h.DB.Ping},
		{"audit log", h.Audit.Writable},
	}
	if h.ProviderReachable != nil {
		parts = append(parts, readyPart{"provider", h.ProviderReachable})
	}
	return parts
}

// readyz answers 200 when the instance can serve agents: the database
// answers, the audit log takes events and the provider answered lately;
// otherwise 503 with one line per failing part. The lines name the part
// only: the errors, which may hold paths and host names, go to the log.
// Like /healthz it needs no session.
func (h *Handlers) readyz(c echo.Context) error {
	parts := h.readyParts()
	failed := make([]error, len(parts))
	var wg sync.WaitGroup
	for i, p := range parts {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
			defer cancel()
			failed[i] = p.check(ctx)
		})
	}
	wg.Wait()
	var b strings.Builder
	for i, err := range failed {
		if err != nil {
			h.Log.Warn("readiness check failed", slog.String("part", parts[i].name), slog.Any("err", err))
			b.WriteString(parts[i].name + ": not ready\n")
		}
	}
	if b.Len() > 0 {
		return c.String(http.StatusServiceUnavailable, b.String())
	}
	return c.String(http.StatusOK, "ok\n")
}
