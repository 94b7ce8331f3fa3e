package handlers_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"ordercare/internal/handlers"
)

const hookToken = "shop-push-token-0123456789"

// recordingIntake stands in for the intake queue: it keeps what was pushed.
type recordingIntake struct {
	mu  sync.Mutex
	ids []string
}

func (r *recordingIntake) Enqueue(_ context.Context, ids []string, _ string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, ids...)
	return len(ids), nil
}

func (r *recordingIntake) pushed() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ids...)
}

func hookPost(t *testing.T, f *foundation, auth, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/hooks/orders", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// The shop's push: 202 with the right bearer token and no session or CSRF
// token at all; 401 without or with a wrong one (nothing queued); 400 for
// a body without order ids; 404 while no token is configured.
func TestHookOrdersToken(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	id1, id2 := "5b1c7f2e-0a1b-4c2d-8e3f-112233445566", "6c2d8a3f-1b2c-4d3e-9f40-223344556677"
	if resp := hookPost(t, f, "Bearer "+hookToken, `{"order_id":"`+id1+`"}`); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("without a configured token: %d, want 404", resp.StatusCode)
	}
	in := &recordingIntake{}
	f.h.Hooks = handlers.NewHooks(hookToken, in)

	cases := []struct {
		name   string
		auth   string
		body   string
		status int
		queued []string
	}{
		{"no token", "", `{"order_id":"` + id1 + `"}`, http.StatusUnauthorized, nil},
		{"wrong token", "Bearer " + hookToken + "x", `{"order_id":"` + id1 + `"}`, http.StatusUnauthorized, nil},
		{"basic scheme", "Basic " + hookToken, `{"order_id":"` + id1 + `"}`, http.StatusUnauthorized, nil},
		{"one id", "Bearer " + hookToken, `{"order_id":"` + id1 + `"}`, http.StatusAccepted, []string{id1}},
		{"order_ids", "bearer " + hookToken, `{"order_ids":["` + id1 + `","` + id2 + `"]}`, http.StatusAccepted, []string{id1, id2}},
		{"a list", "Bearer " + hookToken, `["` + id2 + `"]`, http.StatusAccepted, []string{id2}},
		{"not an id", "Bearer " + hookToken, `{"order_id":"12345"}`, http.StatusBadRequest, nil},
		{"unknown field", "Bearer " + hookToken, `{"orderid":"` + id1 + `"}`, http.StatusBadRequest, nil},
		{"not json", "Bearer " + hookToken, `order_id=` + id1, http.StatusBadRequest, nil},
	}
	for _, tc := range cases { // sequential: they share the intake
		before := len(in.pushed())
		resp := hookPost(t, f, tc.auth, tc.body)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
		if got := in.pushed()[before:]; strings.Join(got, ",") != strings.Join(tc.queued, ",") {
			t.Errorf("%s: queued %v, want %v", tc.name, got, tc.queued)
		}
		if len(resp.Header.Values("Set-Cookie")) > 0 {
			t.Errorf("%s: a machine endpoint set cookies: %v", tc.name, resp.Header.Values("Set-Cookie"))
		}
		if tc.status == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s: no WWW-Authenticate challenge", tc.name)
		}
	}
	if strings.Contains(f.logs.String(), hookToken) {
		t.Error("the hook token appears in the log")
	}
}

// A client that pushes too fast gets 429 with Retry-After, whether or not
// its token is right (a token guesser is slowed down too).
func TestHookOrdersRateLimited(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	f.h.Hooks = handlers.NewHooks(hookToken, &recordingIntake{})
	frozen := time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)
	f.h.Now = func() time.Time { return frozen } // no refill: exactly the burst passes
	limited := 0
	for range 60 {
		resp := hookPost(t, f, "Bearer wrong", `{"order_id":"5b1c7f2e-0a1b-4c2d-8e3f-112233445566"}`)
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
			if resp.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if limited != 40 {
		t.Fatalf("%d of 60 pushes limited, want 40 (burst 20)", limited)
	}
}
