package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestOwnTimeLeavesTheProviderOut: a change that waits 60 ms for the
// provider and then works 30 ms itself has an own time of at least 30 ms
// and at most its wall time minus the 60 ms, whatever the machine's speed.
func TestOwnTimeLeavesTheProviderOut(t *testing.T) {
	const wait, work = 60 * time.Millisecond, 30 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(wait)
		_, _ = io.WriteString(w, "{}")
	}))
	defer srv.Close()
	client := &http.Client{Transport: timedTransport{http.DefaultTransport}}
	var own ownTimes
	start := time.Now()
	err := own.timed(context.Background(), func(ctx context.Context) error {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		time.Sleep(work)
		return nil
	})
	wall := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	got := own.since(start)
	if len(got) != 1 {
		t.Fatalf("%d samples, want 1", len(got))
	}
	if got[0] < work || got[0] > wall-wait {
		t.Fatalf("own time %v: want at least %v (the change's own work) and at most %v (wall %v minus the provider's %v)", got[0], work, wall-wait, wall, wait)
	}
}
