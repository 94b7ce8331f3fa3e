package omclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

const (
	testOrderID   = "f3392f8b-6116-4073-ab96-e330819e2c07"
	testCaptureID = "4ba29b50-be7b-44f5-a492-113e6a865e22"
	testRefundID  = "b2cb8f1a-0b1c-4e4c-9d8a-1c9b6c1d2e3f"
	testKey       = "8a4b5e3c-9a39-4f55-8d52-2f5b7f0b1c11"
	testUser      = "M1234-abc"
	testPass      = "kco_test_api_secret"
)

// recorded is one request a fake server saw.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// fakeServer records every request and answers with respond(n, w, r),
// n counting from 1.
type fakeServer struct {
	*httptest.Server
	mu      sync.Mutex
	reqs    []recorded
	respond func(n int, w http.ResponseWriter, r *http.Request)
}

func newFakeServer(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request)) *fakeServer {
	t.Helper()
	fs := &fakeServer{respond: respond}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fs.mu.Lock()
		fs.reqs = append(fs.reqs, recorded{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
		n := len(fs.reqs)
		fs.mu.Unlock()
		fs.respond(n, w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeServer) requests() []recorded {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]recorded(nil), fs.reqs...)
}

// sleepRecorder replaces the client's wait: it records each delay and
// returns at once, so retry tests neither sleep nor depend on timing.
type sleepRecorder struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepRecorder) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepRecorder) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

// newTestClient builds a client for baseURL with recorded (instant) sleeps.
func newTestClient(t *testing.T, baseURL string, mod func(*Config)) (*Client, *sleepRecorder) {
	t.Helper()
	cfg := Config{BaseURL: baseURL, Username: testUser, Password: testPass}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	sr := &sleepRecorder{}
	c.sleep = sr.sleep
	return c, sr
}

func noContent(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
