package main

import (
	"bytes"
	"strings"
	"testing"
)

// The caching check end to end, with the back office in process: the order
// page is compressed and never stored, assets are hashed and kept a year,
// and a provider change shows on every agent's next view.
func TestCachingChecksPass(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the back office")
	}
	t.Parallel()
	var out bytes.Buffer
	f := stackFlags{dir: t.TempDir(), inProcess: true}
	if err := runCaching(t.Context(), f, &out); err != nil {
		t.Fatalf("caching checks failed: %v\n%s", err, out.String())
	}
	for _, want := range []string{`Cache-Control "no-store"`, `Content-Encoding "gzip"`, "max-age=31536000",
		"agent 1 sees the provider's change on the next view: true", "agent 2 sees the provider's change on the next view: true"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
