package omsim

import (
	"context"
	"net/http"
	"time"
)

// idempotencyWindow is how long the provider guarantees a key (the Klarna-Idempotency-Key header on docs.klarna.com).
const idempotencyWindow = 24 * time.Hour

// outcome is what a change produced: a response and whether it may be
// replayed for the same key.
type outcome struct {
	resp response
	// save is false for answers given before the operation ran (a request
	// that failed validation): like Stripe, and consistent with "executed at
	// most once", a key is bound only to an operation that was attempted,
	// so a corrected retry with the same key is still processed.
	save bool
}

// idempotent runs a change under the request's Klarna-Idempotency-Key.
//
// Keys are scoped per merchant credentials (the Basic user name) and
// compared alone, never with the body or the path: the provider disregards
// input values (the Klarna-Idempotency-Key header on docs.klarna.com), so a reused key returns the first response —
// status, headers (including Capture-Id, Location and the first
// correlation id) and body — for 24 hours, whatever the new request holds.
//
// A second request with a key whose first request is still being processed
// gets 409 CONFLICT at once instead of waiting: the provider's error codes name CONFLICT for
// exactly this case [inferred], and answering at once keeps a hung first
// request from piling up waiting goroutines. The client then retries later
// and gets the replay.
//
// The replay lookup, the change and the saved response share one store
// transaction, so even two processes on one SQLite file apply a key at
// most once.
func (s *Sandbox) idempotent(c *call, fn func(t txn, now time.Time) (outcome, error)) response {
	now := s.clock.Now().UTC()
	scope := [2]string{c.user, c.key}
	if c.key != "" {
		s.inflightMu.Lock()
		busy := s.inflight[scope]
		if !busy {
			s.inflight[scope] = true
		}
		s.inflightMu.Unlock()
		if busy {
			return errorResponse(&apiError{status: http.StatusConflict, code: codeConflict,
				messages: []string{"A request with the same idempotency key is being processed."}}, c.corrID)
		}
		defer func() {
			s.inflightMu.Lock()
			delete(s.inflight, scope)
			s.inflightMu.Unlock()
		}()
	}
	var resp response
	// The change completes even if the client hangs up mid-way, as on the
	// provider: the outcome is then unknown to the client, not undone.
	ctx := context.WithoutCancel(c.r.Context())
	err := s.store.tx(ctx, func(t txn) error {
		if c.key != "" {
			saved, ok, err := t.idemGet(c.user, c.key, now.Add(-idempotencyWindow))
			if err != nil {
				return err
			}
			if ok {
				resp = saved.Response
				return nil
			}
		}
		out, err := fn(t, now)
		if err != nil {
			return err
		}
		resp = out.resp
		if resp.Header == nil {
			resp.Header = map[string]string{}
		}
		resp.Header[correlationHeader] = c.corrID
		if c.key != "" && out.save {
			return t.idemPut(c.user, c.key, savedResponse{At: now, Response: resp})
		}
		return nil
	})
	if err != nil {
		s.log.Error("omsim: change failed", "method", c.r.Method, "path", c.r.URL.Path, "correlation_id", c.corrID, "err", err)
		return errorResponse(newErr(http.StatusInternalServerError, codeInternal, "An unexpected error occurred."), c.corrID)
	}
	return resp
}
