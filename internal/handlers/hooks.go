package handlers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"ordercare/internal/intake"
	"ordercare/internal/omclient"
)

// Intake queues order ids to be read from the provider and indexed
// (intake.Queue).
type Intake interface {
	Enqueue(ctx context.Context, ids []string, source string) (int, error)
}

// Hook limits: per client address (the shop's servers share one), and the
// body (500 ids fit in 20 KiB).
const (
	hookRate      = 10 // requests per second
	hookBurst     = 20
	hookBodyBytes = 64 << 10
)

// Hooks serves POST /hooks/orders, the machine endpoint the shop (or a
// forwarder of the checkout's push) calls when an order is placed or
// changed. It is authenticated by a bearer token, not a session, so it is
// a NoSession route: no cookie, no CSRF token, no sign-in redirect.
type Hooks struct {
	tokenSum [sha256.Size]byte
	enabled  bool
	intake   Intake
	limits   *clientLimits
}

// NewHooks serves the intake with token; an empty token disables the
// endpoint (404), as does a nil *Hooks.
func NewHooks(token string, in Intake) *Hooks {
	return &Hooks{tokenSum: sha256.Sum256([]byte(token)), enabled: token != "" && in != nil, intake: in,
		limits: newClientLimits(hookRate, hookBurst)}
}

// hookRequest is one of the accepted bodies: {"order_id": "..."},
// {"order_ids": [...]}, or a JSON list of ids.
type hookRequest struct {
	OrderID  string   `json:"order_id"`
	OrderIDs []string `json:"order_ids"`
}

func hookError(c echo.Context, status int, msg string) error {
	return c.JSON(status, map[string]string{"error": msg})
}

// hookOrders answers 202 once the ids are stored in the intake queue; the
// reads happen in the background, with retries. A repeated push is
// harmless.
func (h *Handlers) hookOrders(c echo.Context) error {
	hk := h.Hooks
	if hk == nil || !hk.enabled {
		return hookError(c, http.StatusNotFound, "not found")
	}
	if !hk.limits.allow(c.RealIP(), h.now()) {
		c.Response().Header().Set("Retry-After", "1")
		return hookError(c, http.StatusTooManyRequests, "too many requests; slow down")
	}
	if !hk.authorized(c.Request().Header.Get(echo.HeaderAuthorization)) {
		h.Log.Warn("order hook refused: missing or wrong token", slog.String("request_id", requestIDOf(c)))
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="ordercare"`)
		return hookError(c, http.StatusUnauthorized, "missing or wrong bearer token")
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, hookBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return hookError(c, http.StatusRequestEntityTooLarge, "body larger than 64 KiB")
		}
		return hookError(c, http.StatusBadRequest, "body could not be read")
	}
	ids, msg := parseHookBody(body)
	if msg != "" {
		return hookError(c, http.StatusBadRequest, msg)
	}
	n, err := hk.intake.Enqueue(c.Request().Context(), ids, "hook")
	if err != nil {
		h.Log.Error("order hook: queue failed", slog.String("request_id", requestIDOf(c)), slog.Any("err", err))
		return hookError(c, http.StatusServiceUnavailable, "could not queue the orders; try again")
	}
	return c.JSON(http.StatusAccepted, map[string]int{"accepted": n})
}

// authorized compares the bearer token in constant time (over hashes, so
// the length does not leak either).
func (hk *Hooks) authorized(header string) bool { return bearerMatches(header, hk.tokenSum) }

// parseHookBody returns the order ids of a hook body, or a message saying
// what is wrong with it.
func parseHookBody(body []byte) ([]string, string) {
	body = bytes.TrimSpace(body)
	var ids []string
	switch {
	case len(body) == 0:
		return nil, `empty body; send {"order_id": "..."}, {"order_ids": [...]} or a JSON list of ids`
	case body[0] == '[':
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, "not a JSON list"
		}
		for _, raw := range list {
			var s string
			var obj hookRequest
			switch {
			case json.Unmarshal(raw, &s) == nil:
				ids = append(ids, s)
			case json.Unmarshal(raw, &obj) == nil && obj.OrderID != "":
				ids = append(ids, obj.OrderID)
			default:
				return nil, "list items must be order ids (strings) or {\"order_id\": ...}"
			}
		}
	case body[0] == '{':
		var req hookRequest
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, `not the expected JSON object; send {"order_id": "..."} or {"order_ids": [...]}`
		}
		if req.OrderID != "" {
			ids = append(ids, req.OrderID)
		}
		ids = append(ids, req.OrderIDs...)
	default:
		return nil, "body is not JSON"
	}
	if len(ids) == 0 {
		return nil, "no order id given"
	}
	if len(ids) > intake.MaxPush {
		return nil, "at most 500 order ids per request"
	}
	var bad []string
	for i, id := range ids {
		ids[i] = strings.TrimSpace(id)
		if !omclient.ValidOrderID(ids[i]) {
			bad = append(bad, ids[i])
		}
	}
	if len(bad) > 0 {
		if len(bad) > 5 {
			bad = append(bad[:5], "…")
		}
		return nil, "not order ids (UUIDs): " + strings.Join(bad, ", ")
	}
	return ids, ""
}

// clientLimits is a token bucket per client address, forgotten after a
// few idle minutes so the map does not grow without bound.
type clientLimits struct {
	mu        sync.Mutex
	rate      rate.Limit
	burst     int
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimits(perSecond float64, burst int) *clientLimits {
	return &clientLimits{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

func (l *clientLimits) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.seen) > 5*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b := l.buckets[addr]
	if b == nil {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[addr] = b
	}
	b.seen = now
	return b.lim.AllowN(now, 1)
}
