package metrics

import (
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Unmatched is the route label of requests that matched no route (404s
// and 405s): their paths are whatever a client sent, so never a label.
const Unmatched = "unmatched"

// Middleware counts and times every request by its route's name in e's
// routes table. It must run outside any middleware that renders errors
// itself, so it sees the final status. A nil Metrics counts nothing.
func (m *Metrics) Middleware(e *echo.Echo) echo.MiddlewareFunc {
	if m == nil {
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	// Routes are all added before the first request; read them then.
	names := sync.OnceValue(func() map[routeKey]string {
		out := make(map[routeKey]string)
		for _, r := range e.Routes() {
			out[routeKey{r.Method, r.Path}] = r.Name
		}
		return out
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				// Render it now, so the status counted is the one sent.
				c.Error(err)
			}
			route, ok := names()[routeKey{c.Request().Method, c.Path()}]
			if !ok || route == "" {
				route = Unmatched
			}
			m.httpSeconds.WithLabelValues(route).Observe(time.Since(start).Seconds())
			m.httpRequests.WithLabelValues(route, statusClass(c.Response().Status)).Inc()
			return nil
		}
	}
}

// routeKey finds a route's name without building a string per request.
type routeKey struct{ method, path string }

// statusClass is "2xx", "4xx" and so on.
func statusClass(code int) string {
	if code < 100 || code > 599 {
		return "other"
	}
	return statusClasses[code/100-1]
}

var statusClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}
