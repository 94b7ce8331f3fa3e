package omclient

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func captureBody() CaptureRequest {
	return CaptureRequest{CapturedAmount: 10000, Description: "Shipped <box> & co", Reference: "cap-1",
		OrderLines: []OrderLine{{Type: "physical", Name: "Tomatoes", Quantity: 10, UnitPrice: 1000, TaxRate: 2500, TotalAmount: 10000, TotalTaxAmount: 2000}}}
}

func TestRetryTwo503ThenSuccessResendsSameKeyAndBytes(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n <= 2 {
			writeJSON(w, 503, `{"error_code":"TEMPORARILY_UNAVAILABLE","error_messages":["down"],"correlation_id":"c-`+string(rune('0'+n))+`"}`)
			return
		}
		w.Header().Set("Capture-Id", testCaptureID)
		w.WriteHeader(201)
	})
	c, sr := newTestClient(t, fs.URL, nil)
	call, err := c.Prepare(testOrderID, "", testKey, captureBody())
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Send(context.Background(), call)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := fs.requests()
	if len(reqs) != 3 || res.Attempts != 3 {
		t.Fatalf("server saw %d requests, result says %d attempts; want 3", len(reqs), res.Attempts)
	}
	for i, r := range reqs {
		if k := r.Header.Get("Klarna-Idempotency-Key"); k != testKey {
			t.Errorf("try %d key %q, want %q", i+1, k, testKey)
		}
		if !bytes.Equal(r.Body, call.Body) {
			t.Errorf("try %d body differs:\n%s\n%s", i+1, r.Body, call.Body)
		}
	}
	if res.ResourceID != testCaptureID {
		t.Errorf("capture id %q", res.ResourceID)
	}
	if d := sr.got(); len(d) != 2 {
		t.Errorf("waited %d times, want 2", len(d))
	}
}

func TestRetryHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, value string
		want        time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{"date in the past", now.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := newFakeServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
				if n == 1 {
					w.Header().Set("Retry-After", tt.value)
					writeJSON(w, 429, `{"error_code":"TOO_MANY_REQUESTS","correlation_id":"x"}`)
					return
				}
				w.WriteHeader(204)
			})
			c, sr := newTestClient(t, fs.URL, func(cfg *Config) { cfg.Timeout = time.Hour })
			c.now = func() time.Time { return now }
			if err := c.exec(context.Background(), testOrderID, "", testKey, AcknowledgeRequest{}); err != nil {
				t.Fatal(err)
			}
			if d := sr.got(); len(d) != 1 || d[0] != tt.want {
				t.Errorf("waits %v, want [%v]", d, tt.want)
			}
		})
	}
}

func TestRetryAfterBeyondDeadlineStopsAtOnce(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3600")
		writeJSON(w, 429, `{"error_code":"TOO_MANY_REQUESTS","correlation_id":"x"}`)
	})
	c, sr := newTestClient(t, fs.URL, func(cfg *Config) { cfg.Timeout = time.Minute })
	_, err := c.GetOrder(context.Background(), testOrderID)
	if !IsCode(err, CodeTooManyRequests) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want TOO_MANY_REQUESTS and a deadline", err)
	}
	if len(fs.requests()) != 1 || len(sr.got()) != 0 {
		t.Errorf("requests %d waits %v; want one request and no wait", len(fs.requests()), sr.got())
	}
}

func TestBackoffGrowsWithJitterUnderTheCap(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, "http://127.0.0.1:1", func(cfg *Config) {
		cfg.Retry = RetryPolicy{MaxAttempts: 10, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	})
	for attempt := 1; attempt <= 8; attempt++ {
		step := min(100*time.Millisecond<<(attempt-1), time.Second)
		for range 50 {
			d := c.backoff(attempt)
			if d < step/2 || d > step {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, step/2, step)
			}
		}
	}
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[c.backoff(3)] = true
	}
	if len(seen) < 2 {
		t.Error("backoff has no jitter")
	}
}

func TestClientErrorIsTriedOnce(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 413, 422} {
		fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Klarna-Correlation-Id", "hdr-corr")
			writeJSON(w, status, `{"error_code":"NOT_ALLOWED","error_messages":["Update not allowed."]}`)
		})
		c, sr := newTestClient(t, fs.URL, nil)
		err := c.exec(context.Background(), testOrderID, "", testKey, CancelRequest{})
		var ae *APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%d: err = %v, want *APIError", status, err)
		}
		if errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("%d: a definite refusal must not be 'outcome unknown'", status)
		}
		if ae.StatusCode != status || ae.ErrorCode != CodeNotAllowed || ae.CorrelationID != "hdr-corr" ||
			len(ae.ErrorMessages) != 1 || ae.Method != "POST" || !strings.HasSuffix(ae.Path, "/cancel") {
			t.Errorf("%d: %+v", status, ae)
		}
		if n := len(fs.requests()); n != 1 || len(sr.got()) != 0 {
			t.Errorf("%d: %d requests, waits %v; want exactly one try", status, n, sr.got())
		}
	}
}

func TestErrorBodyCorrelationIDWinsOverHeader(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Klarna-Correlation-Id", "hdr")
		writeJSON(w, 404, `{"error_code":"NO_SUCH_ORDER","error_messages":["Order cannot be found."],"correlation_id":"body","service_version":"SNAPSHOT"}`)
	})
	c, _ := newTestClient(t, fs.URL, nil)
	_, err := c.GetOrder(context.Background(), testOrderID)
	if !IsNotFound(err) || !IsCode(err, CodeNoSuchOrder) || IsCode(err, CodeNotFound) {
		t.Fatalf("err = %v", err)
	}
	var ae *APIError
	errors.As(err, &ae)
	if ae.CorrelationID != "body" {
		t.Errorf("correlation id %q", ae.CorrelationID)
	}
	if !strings.Contains(err.Error(), "NO_SUCH_ORDER") || !strings.Contains(err.Error(), "body") {
		t.Errorf("message %q lacks code or correlation id", err)
	}
}

func TestNonJSONErrorBodyKeepsStatus(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(401)
		_, _ = w.Write([]byte("<html>Unauthorized</html>"))
	})
	c, _ := newTestClient(t, fs.URL, nil)
	_, err := c.GetOrder(context.Background(), testOrderID)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.ErrorCode != "" {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "401 Unauthorized") {
		t.Errorf("message %q", err)
	}
}

func TestContextDeadlineStopsRetries(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 503, `{"error_code":"TEMPORARILY_UNAVAILABLE"}`)
	})
	// Real waits: many allowed tries with short backoff; the caller's
	// deadline must end the loop long before the tries run out.
	c, _ := newTestClient(t, fs.URL, func(cfg *Config) {
		cfg.Retry = RetryPolicy{MaxAttempts: 100000, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}
	})
	c.sleep = sleepCtx
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.GetOrder(ctx, testOrderID)
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	if !IsCode(err, CodeUnavailable) {
		t.Errorf("err = %v, want the last 503 kept", err)
	}
	if errors.Is(err, ErrOutcomeUnknown) {
		t.Error("a GET is never outcome-unknown")
	}
	if n := len(fs.requests()); n >= 100000 || n < 1 {
		t.Errorf("%d requests", n)
	}

	// The same for a capture: the 503s may have been applied.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	_, err = c.created(ctx2, testOrderID, testKey, captureBody())
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || ou.Op != OpCreateCapture || !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want OutcomeUnknownError", err)
	}
}

func TestCallTimeoutBoundsAHangingServer(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	// The budget is a liveness bound: long enough for the request to
	// reach the server on a loaded machine (a call cut before it had a
	// connection is rightly "nothing was applied", TestAChangeCut… shows
	// the other side), short enough that the hang is what ends it.
	c, _ := newTestClient(t, fs.URL, func(cfg *Config) { cfg.Timeout = 500 * time.Millisecond })
	err := c.exec(context.Background(), testOrderID, "", testKey, AcknowledgeRequest{})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%d requests reached the server), want outcome unknown after a timeout", err, len(fs.requests()))
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests, want 1 (the deadline ends the call)", n)
	}
	_, err = c.GetOrder(context.Background(), testOrderID)
	if err == nil || errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GET err = %v, want a plain deadline error", err)
	}
}

// resetAfterRead hijacks the connection and closes it after the request
// was read: the client wrote everything and gets no answer.
func resetAfterRead(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST rather than FIN
	}
	_ = conn.Close()
}

func TestResetAfterWrite(t *testing.T) {
	t.Parallel()
	t.Run("POST is outcome unknown", func(t *testing.T) {
		t.Parallel()
		fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { resetAfterRead(w) })
		c, _ := newTestClient(t, fs.URL, nil)
		_, err := c.created(context.Background(), testOrderID, testKey, &RefundRequest{RefundedAmount: 500})
		var ou *OutcomeUnknownError
		if !errors.As(err, &ou) || ou.Op != OpCreateRefund {
			t.Fatalf("err = %v, want OutcomeUnknownError", err)
		}
		reqs := fs.requests()
		if len(reqs) != DefaultMaxAttempts {
			t.Errorf("%d requests, want %d tries with the same key", len(reqs), DefaultMaxAttempts)
		}
		for _, r := range reqs {
			if r.Header.Get("Klarna-Idempotency-Key") != testKey || string(r.Body) != `{"refunded_amount":500}` {
				t.Errorf("try differs: %q %s", r.Header.Get("Klarna-Idempotency-Key"), r.Body)
			}
		}
	})
	t.Run("POST retried with the key succeeds", func(t *testing.T) {
		t.Parallel()
		fs := newFakeServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				resetAfterRead(w)
				return
			}
			w.Header().Set("Location", "/ordermanagement/v1/orders/"+testOrderID+"/refunds/"+testRefundID)
			w.WriteHeader(201)
		})
		c, _ := newTestClient(t, fs.URL, nil)
		id, err := c.created(context.Background(), testOrderID, testKey, &RefundRequest{RefundedAmount: 500})
		if err != nil || id != testRefundID {
			t.Fatalf("id %q err %v", id, err)
		}
	})
	t.Run("GET retries", func(t *testing.T) {
		t.Parallel()
		fs := newFakeServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				resetAfterRead(w)
				return
			}
			writeJSON(w, 200, `{"order_id":"`+testOrderID+`","status":"AUTHORIZED"}`)
		})
		c, _ := newTestClient(t, fs.URL, nil)
		o, err := c.GetOrder(context.Background(), testOrderID)
		if err != nil || o.Status != StatusAuthorized {
			t.Fatalf("order %+v err %v", o, err)
		}
		if n := len(fs.requests()); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("conflict after a lost try is outcome unknown", func(t *testing.T) {
		t.Parallel()
		fs := newFakeServer(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			if n == 1 {
				resetAfterRead(w)
				return
			}
			writeJSON(w, 409, `{"error_code":"CONFLICT","correlation_id":"c"}`)
		})
		c, _ := newTestClient(t, fs.URL, nil)
		err := c.exec(context.Background(), testOrderID, "", testKey, CancelRequest{})
		if !errors.Is(err, ErrOutcomeUnknown) || !IsCode(err, CodeConflict) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestRetriesExhausted(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 500, `{"error_code":"INTERNAL_SERVER_ERROR","correlation_id":"c5"}`)
	})
	c, sr := newTestClient(t, fs.URL, func(cfg *Config) { cfg.Retry.MaxAttempts = 3 })
	_, err := c.GetOrder(context.Background(), testOrderID)
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 500 || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("GET err = %v, want the final APIError", err)
	}
	if n := len(fs.requests()); n != 3 || len(sr.got()) != 2 {
		t.Errorf("%d requests %d waits", n, len(sr.got()))
	}
	err = c.exec(context.Background(), testOrderID, "", testKey, ReleaseRemainingRequest{})
	var ou *OutcomeUnknownError
	if !errors.As(err, &ou) || !errors.As(err, &ae) || ae.CorrelationID != "c5" {
		t.Fatalf("POST err = %v, want OutcomeUnknownError wrapping the APIError", err)
	}
}

func TestNothingSentIsNotOutcomeUnknown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // connection refused from now on
	c, sr := newTestClient(t, "http://"+addr, nil)
	err = c.exec(context.Background(), testOrderID, "", testKey, CancelRequest{})
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want a plain error", err)
	}
	if !strings.Contains(err.Error(), "nothing was applied") {
		t.Errorf("message %q", err)
	}
	if len(sr.got()) != DefaultMaxAttempts-1 {
		t.Errorf("waits %v: connection errors before sending are retried", sr.got())
	}
}

func TestMalformedJSONOnGETIsAClearError(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{"truncated": `{"order_id": "x", "captures": [ {"capture_id": "y" ]`, "empty": ``, "wrong type": `{"order_amount":"lots"}`} {
		fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, body) })
		c, _ := newTestClient(t, fs.URL, nil)
		o, err := c.GetOrder(context.Background(), testOrderID)
		if err == nil || o != nil {
			t.Fatalf("%s: order %+v err %v", name, o, err)
		}
		var ae *APIError
		if errors.As(err, &ae) || !strings.Contains(err.Error(), "GET /ordermanagement/v1/orders/"+testOrderID) || !strings.Contains(err.Error(), "JSON") {
			t.Errorf("%s: unclear error %q", name, err)
		}
		if n := len(fs.requests()); n != 1 {
			t.Errorf("%s: %d requests; a bad body is not retried", name, n)
		}
	}
}

func TestOversizedResponseIsRefused(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(200)
		_, _ = w.Write([]byte(`{"order_id":"`))
		_, _ = w.Write(bytes.Repeat([]byte("a"), MaxResponseBytes))
		_, _ = w.Write([]byte(`"}`))
	})
	c, _ := newTestClient(t, fs.URL, nil)
	_, err := c.GetOrder(context.Background(), testOrderID)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
	if n := len(fs.requests()); n != 1 {
		t.Errorf("%d requests; an oversized body is not retried", n)
	}
}

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false}, {"0", 0, true}, {"12", 12 * time.Second, true}, {"-3", 0, false}, {"soon", 0, false},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour, true},
		{"99999999999", 24 * time.Hour, true},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("retryAfter(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRetriesAreLoggedWithoutSecretsOrBodies(t *testing.T) {
	t.Parallel()
	fs := newFakeServer(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 503, `{"error_code":"TEMPORARILY_UNAVAILABLE","correlation_id":"corr-503"}`)
	})
	var buf bytes.Buffer
	var mu sync.Mutex
	c, _ := newTestClient(t, fs.URL, func(cfg *Config) {
		cfg.Retry.MaxAttempts = 2
		cfg.Logger = slog.New(slog.NewJSONHandler(&lockedWriter{w: &buf, mu: &mu}, nil))
	})
	req := captureBody()
	req.Description = "Åsa Öberg, Testgatan 10"
	_, err := c.created(context.Background(), testOrderID, testKey, req)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatal(err)
	}
	mu.Lock()
	logs := buf.String()
	mu.Unlock()
	for _, want := range []string{`"msg":"omclient: retrying"`, `"correlation_id":"corr-503"`, `"status":503`, `"msg":"omclient: outcome unknown"`} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %s:\n%s", want, logs)
		}
	}
	for _, leak := range []string{testPass, "Testgatan", "Basic "} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs leak %q:\n%s", leak, logs)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// A change whose request was on its way when the deadline cut it may have
// reached the provider: its outcome is unknown, never "nothing was
// applied". Here the provider takes the connection and reads slowly, so
// the deadline falls while the body is being written (the bytes already
// read could be a whole request at a real provider on a slow link).
func TestAChangeCutWhileBeingWrittenIsUnknown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		buf := make([]byte, 1024)
		_, _ = conn.Read(buf) // the request line and headers, then nothing more
		<-done
	}()
	t.Cleanup(func() { _ = ln.Close() })
	c, _ := newTestClient(t, "http://"+ln.Addr().String(), func(cfg *Config) {
		cfg.Timeout = 300 * time.Millisecond
		cfg.Retry = RetryPolicy{MaxAttempts: 1}
	})
	body := bytes.Repeat([]byte(" "), 64<<20) // more than the sockets' buffers hold
	_, err = c.do(context.Background(), OpCreateCapture, http.MethodPost, "/ordermanagement/v1/orders/"+testOrderID+"/captures", body, testKey)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want outcome unknown: the request had started to reach the provider", err)
	}
}
