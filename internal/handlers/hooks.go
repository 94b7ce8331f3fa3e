package handlers

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
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
