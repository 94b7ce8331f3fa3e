// Package tokencache keeps a platform's access token until shortly
// before it expires, and makes callers that find it missing or stale wait
// for one fetch instead of each fetching (a rotating refresh token, as
// Ucommerce's, dies when used twice).
package tokencache

import (
	"context"
	"sync"
	"time"
)

// Fetch gets a new token and when to stop using it.
type Fetch func(ctx context.Context) (token string, useUntil time.Time, err error)

// Cache holds one token. The zero value is empty and ready.
type Cache struct {
	mu       sync.Mutex
	token    string
	until    time.Time
	inflight chan struct{} // closed when the running fetch ends
	lastErr  error         // the running fetch's error, read after inflight closes
}

// Get returns the cached token while now is before its end, else runs
// fetch once for all callers. The fetch is not bound to the first
// caller's context (others wait on it, and one caller hanging up must not
// fail them all, nor cut a refresh off half-way): it gets timeout.
func (c *Cache) Get(ctx context.Context, now func() time.Time, timeout time.Duration, fetch Fetch) (string, error) {
	for {
		c.mu.Lock()
		if c.token != "" && now().Before(c.until) {
			t := c.token
			c.mu.Unlock()
			return t, nil
		}
		if wait := c.inflight; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			c.mu.Lock()
			err := c.lastErr
			c.mu.Unlock()
			if err != nil {
				return "", err
			}
			continue
		}
		done := make(chan struct{})
		c.inflight = done
		c.mu.Unlock()

		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		tok, until, err := fetch(fctx)
		cancel()

		c.mu.Lock()
		c.inflight, c.lastErr = nil, err
		if err == nil {
			c.token, c.until = tok, until
		}
		close(done)
		c.mu.Unlock()
		if err != nil {
			return "", err
		}
		return tok, nil
	}
}

// Set replaces the token (a token got another way, such as an
// authorization code exchanged).
func (c *Cache) Set(token string, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token, c.until = token, until
}

// Drop forgets token t after the platform refused it, unless another
// caller already replaced it.
func (c *Cache) Drop(t string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.token == t {
		c.token = ""
	}
}

// UseUntil is when to stop using a token that lives ttl from now: margin
// earlier (at most a tenth of its life), so no request leaves with a
// token that dies on the way.
func UseUntil(now time.Time, ttl, margin time.Duration) time.Time {
	return now.Add(max(ttl-min(margin, ttl/10), 0))
}
