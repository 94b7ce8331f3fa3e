package omclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// reply is a 2xx answer.
type reply struct {
	status   int
	header   http.Header
	body     []byte
	attempts int
	duration time.Duration
}

// tryOutcome is what one attempt produced: a response (status > 0) or a
// transport error, and whether the request had been fully written.
type tryOutcome struct {
	status  int
	header  http.Header
	body    []byte
	err     error
	written bool
}

// do sends one request with retries. Retried: transport errors without a
// response, 5xx and 429 (honouring Retry-After). Never retried: any other
// status. Every try resends the same body bytes with the same key. The
// whole call, waits included, is bounded by ctx and the client's Timeout.
func (c *Client) do(ctx context.Context, op Operation, method, p string, body []byte, key string) (*reply, error) {
	start := c.now()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	mutating := method != http.MethodGet
	// uncertain: an earlier try of this mutating call may have been applied
	// (written and then no answer, or a 5xx).
	uncertain := false
	var last error
	for attempt := 1; ; attempt++ {
		out := c.try(ctx, method, p, body, key)
		var delay time.Duration
		switch {
		case out.err != nil:
			err := fmt.Errorf("omclient: %s %s: %w", method, p, out.err)
			if last != nil && ctx.Err() != nil {
				// Cut short by the deadline: keep what the earlier tries said.
				err = fmt.Errorf("%w; then %w", last, err)
			}
			last = err
			if out.written {
				uncertain = true
			}
			if ctx.Err() != nil || !retryableTransport(out.err) {
				return nil, c.final(op, mutating, uncertain, false, last, attempt)
			}
			delay = c.backoff(attempt)
		case out.status >= 200 && out.status < 300:
			return &reply{status: out.status, header: out.header, body: out.body, attempts: attempt, duration: c.now().Sub(start)}, nil
		default:
			apiErr := newAPIError(method, p, out.status, out.header, out.body)
			last = apiErr
			if out.status != http.StatusTooManyRequests && out.status < 500 {
				// A 409 after an uncertain try is likely the provider still
				// processing that try under the same key (the provider's error codes on docs.klarna.com): unknown.
				if mutating && uncertain && out.status == http.StatusConflict {
					return nil, &OutcomeUnknownError{Op: op, Err: apiErr}
				}
				return nil, apiErr
			}
			if out.status >= 500 {
				uncertain = true
			}
			delay = c.backoff(attempt)
			if ra, ok := retryAfter(out.header.Get("Retry-After"), c.now()); ok {
				delay = ra
			}
		}
		c.logRetry(ctx, op, method, p, attempt, out, last, delay)
		if attempt >= c.retry.MaxAttempts {
			return nil, c.final(op, mutating, uncertain, out.err == nil, last, attempt)
		}
		if dl, ok := ctx.Deadline(); ok && time.Now().Add(delay).After(dl) {
			// Waiting would outlive the budget: stop now with what we know.
			return nil, c.final(op, mutating, uncertain, out.err == nil, fmt.Errorf("%w; stopped retrying, the next try in %s would pass the deadline: %w", last, delay.Round(time.Millisecond), context.DeadlineExceeded), attempt)
		}
		if err := c.sleep(ctx, delay); err != nil {
			return nil, c.final(op, mutating, uncertain, out.err == nil, fmt.Errorf("%w; stopped retrying: %w", last, err), attempt)
		}
	}
}

// final shapes the error of a call that ends without success. For a
// mutating call the outcome is unknown when a try may have been applied or
// when the tries ran out on 5xx/429 (gotStatus); reads never are.
func (c *Client) final(op Operation, mutating, uncertain, gotStatus bool, last error, attempts int) error {
	if mutating && (uncertain || gotStatus) {
		err := &OutcomeUnknownError{Op: op, Err: fmt.Errorf("after %d tries: %w", attempts, last)}
		c.log.LogAttrs(context.Background(), slog.LevelError, "omclient: outcome unknown",
			slog.String("op", string(op)), slog.Int("attempts", attempts), slog.String("error", last.Error()))
		return err
	}
	return fmt.Errorf("after %d tries, nothing was applied: %w", attempts, last)
}

// logRetry records a failed try that will be retried (or not, if the
// budget ends first).
func (c *Client) logRetry(ctx context.Context, op Operation, method, p string, attempt int, out tryOutcome, last error, delay time.Duration) {
	attrs := []slog.Attr{slog.String("op", string(op)), slog.String("method", method), slog.String("path", p),
		slog.Int("attempt", attempt), slog.Duration("delay", delay)}
	var ae *APIError
	if errors.As(last, &ae) {
		attrs = append(attrs, slog.Int("status", ae.StatusCode), slog.String("error_code", string(ae.ErrorCode)), slog.String("correlation_id", ae.CorrelationID))
	} else if out.err != nil {
		attrs = append(attrs, slog.String("error", out.err.Error()), slog.Bool("request_written", out.written))
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "omclient: retrying", attrs...)
}

// try performs one HTTP exchange.
func (c *Client) try(ctx context.Context, method, p string, body []byte, key string) tryOutcome {
	var out tryOutcome
	// A try counts as written, so its outcome as possibly applied, from
	// the moment it has a connection: the transport writes on another
	// goroutine, and a deadline can end the call while the request is
	// going out (part of it, or all of it with WroteRequest reported too
	// late). Only a try that never had a connection (no dial, refused)
	// is known not to have reached the provider.
	var gotConn atomic.Bool
	trace := &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	}
	u := *c.base
	u.Path = c.base.Path + p
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, u.String(), rd)
	if err != nil {
		out.err = err
		return out
	}
	req.SetBasicAuth(c.username, c.password)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set(headerIdempotencyKey, key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		out.err, out.written = err, gotConn.Load()
		return out
	}
	defer resp.Body.Close()
	out.written = true
	out.status, out.header = resp.StatusCode, resp.Header
	limit := int64(MaxResponseBytes)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		limit = maxErrorBodyBytes
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil && resp.StatusCode >= 200 && resp.StatusCode < 300 && method == http.MethodGet:
		// A read cut short: nothing usable arrived, try again.
		return tryOutcome{err: fmt.Errorf("reading response body: %w", err), written: true}
	case int64(len(b)) > limit && resp.StatusCode >= 200 && resp.StatusCode < 300 && method == http.MethodGet:
		return tryOutcome{err: errTooLarge, written: true}
	}
	if int64(len(b)) > limit {
		b = b[:limit]
	}
	out.body = b
	return out
}

var errTooLarge = fmt.Errorf("response body larger than %d bytes", MaxResponseBytes)

// retryableTransport is false for failures a retry cannot fix.
func retryableTransport(err error) bool {
	var (
		cv  *tls.CertificateVerificationError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
		rec tls.RecordHeaderError
	)
	switch {
	case errors.Is(err, errTooLarge), errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &hn), errors.As(err, &rec):
		return false
	}
	return true
}

// backoff is capped exponential backoff with jitter: half the step fixed,
// half random, so concurrent clients spread out.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.BaseDelay
	for i := 1; i < attempt && d < c.retry.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, c.retry.MaxDelay)
	half := d / 2
	return half + rand.N(d-half+1) // #nosec G404 -- backoff jitter only spreads retries; it guards nothing an attacker could predict
}

// retryAfter parses Retry-After as delta seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(24*time.Hour/time.Second) {
			n = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// newAPIError reads the provider's error body; the correlation id comes
// from the body or, failing that, the Klarna-Correlation-Id header.
func newAPIError(method, p string, status int, h http.Header, body []byte) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: p}
	var eb ErrorBody
	if len(bytes.TrimSpace(body)) > 0 && json.Unmarshal(body, &eb) == nil {
		e.ErrorCode = ErrorCode(strings.TrimSpace(eb.ErrorCode))
		e.ErrorMessages = eb.ErrorMessages
		e.CorrelationID = strings.TrimSpace(eb.CorrelationID)
	}
	if e.CorrelationID == "" {
		e.CorrelationID = h.Get(headerCorrelationID)
	}
	return e
}
