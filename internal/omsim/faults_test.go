package omsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

func rawCall(t *testing.T, ctx context.Context, srv *httptest.Server, method, p, key string, body any) (*http.Response, []byte, error) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, srv.URL+p, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(testUser, testPass)
	if key != "" {
		req.Header.Set("Klarna-Idempotency-Key", key)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("off by default", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(nil)
		for range 5 {
			f.expect(f.do(http.MethodGet, path(id), "", nil), 200, "")
		}
	})

	t.Run("5xx and 429 fire Times times, before applying", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(nil)
		f.sb.SetFaults(Faults{Rules: []FaultRule{
			{Method: "POST", PathContains: "/captures", Kind: Fault503, Times: 1},
			{Method: "POST", PathContains: "/captures", Kind: Fault500, Times: 1},
			{Method: "POST", PathContains: "/captures", Kind: Fault429, Times: 1, RetryAfter: 1500 * time.Millisecond},
		}})
		k := key()
		req := omclient.CaptureRequest{CapturedAmount: 1000}
		f.expect(f.do(http.MethodPost, path(id, "captures"), k, req), 503, codeUnavailable)
		f.expect(f.do(http.MethodPost, path(id, "captures"), k, req), 500, codeInternal)
		r := f.do(http.MethodPost, path(id, "captures"), k, req)
		f.expect(r, 429, codeTooManyRequests)
		if r.header.Get("Retry-After") != "2" {
			t.Fatalf("Retry-After %q, want 2", r.header.Get("Retry-After"))
		}
		if o := f.order(id); o.CapturedAmount != 0 {
			t.Fatal("an injected failure applied the change")
		}
		// Other paths were never affected; the fourth try succeeds.
		f.expect(f.do(http.MethodGet, path(id), "", nil), 200, "")
		f.expect(f.do(http.MethodPost, path(id, "captures"), k, req), 201, "")
	})

	t.Run("reset after apply", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		srv := httptest.NewServer(f.sb)
		defer srv.Close()
		id := f.create(nil)
		f.sb.SetFaults(Faults{Rules: []FaultRule{{PathContains: "/captures", Kind: FaultResetAfterApply, Times: 1}}})
		k := key()
		req := omclient.CaptureRequest{CapturedAmount: 1000}
		if _, _, err := rawCall(t, ctx, srv, http.MethodPost, path(id, "captures"), k, req); err == nil {
			t.Fatal("no error from a reset connection")
		}
		if o := f.order(id); o.CapturedAmount != 1000 {
			t.Fatalf("reset-after-apply did not apply: captured %d", o.CapturedAmount)
		}
		// The retry with the same key learns the outcome without a second capture.
		resp, _, err := rawCall(t, ctx, srv, http.MethodPost, path(id, "captures"), k, req)
		if err != nil || resp.StatusCode != 201 || resp.Header.Get("Capture-Id") == "" {
			t.Fatalf("retry: %v %v", resp, err)
		}
		if o := f.order(id); len(o.Captures) != 1 {
			t.Fatalf("%d captures", len(o.Captures))
		}
	})

	t.Run("malformed JSON on 200 only", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		id := f.create(nil)
		f.sb.SetFaults(Faults{Rules: []FaultRule{{Kind: FaultMalformedJSON, Times: 1}}})
		// A 204 is not corrupted and does not use up the rule.
		f.expect(f.do(http.MethodPost, path(id, "acknowledge"), key(), nil), 204, "")
		r := f.do(http.MethodGet, path(id), "", nil)
		var o omclient.Order
		if r.status != 200 || json.Unmarshal(r.body, &o) == nil {
			t.Fatalf("status %d, body parsed: %s", r.status, r.body)
		}
		f.expect(f.do(http.MethodGet, path(id), "", nil), 200, "")
		mustJSON(t, f.do(http.MethodGet, path(id), "", nil).body, &o)
	})

	t.Run("hang until the client gives up", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		srv := httptest.NewServer(f.sb)
		defer srv.Close()
		id := f.create(nil)
		f.sb.SetFaults(Faults{Rules: []FaultRule{{Method: "POST", Kind: FaultHang}}})
		cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, _, err := rawCall(t, cctx, srv, http.MethodPost, path(id, "captures"), key(), omclient.CaptureRequest{CapturedAmount: 1000})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v, want deadline exceeded", err)
		}
		if o := f.order(id); o.CapturedAmount != 0 {
			t.Fatal("a hung request applied the change")
		}
		f.SetNoFaults()
	})

	t.Run("latency honours the client's context", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t, Options{})
		srv := httptest.NewServer(f.sb)
		defer srv.Close()
		id := f.create(nil)
		f.sb.SetFaults(Faults{Latency: time.Hour})
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if _, _, err := rawCall(t, cctx, srv, http.MethodPost, path(id, "cancel"), key(), nil); err == nil {
			t.Fatal("no error while delayed")
		}
		f.SetNoFaults()
		resp, _, err := rawCall(t, ctx, srv, http.MethodGet, path(id), "", nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v %v", resp, err)
		}
		if o := f.order(id); o.Status != omclient.StatusAuthorized {
			t.Fatalf("a delayed, abandoned request applied: %s", o.Status)
		}
	})
}

func (f *fixture) SetNoFaults() { f.sb.SetFaults(Faults{}) }
