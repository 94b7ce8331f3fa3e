package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets this test binary stand in for the loadtest program when
// a benchmark starts a child of it (`loadtest provider`, `loadtest relay`).
func TestMain(m *testing.M) {
	if os.Getenv(strings.Split(childEnv, "=")[0]) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// The overhead benchmark as shipped (sandbox in a process of its own) with
// the floor: the raw GET, the relay and the order page all read orders,
// every request succeeds, and the report has the three paths and the
// ratios.
func TestOverheadMeasuresTheFloorBesideThePage(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the back office and two processes")
	}
	t.Parallel()
	var out bytes.Buffer
	f := overheadFlags{
		stack:   stackFlags{dir: t.TempDir(), inProcess: true, providerProcess: true},
		latency: 5 * time.Millisecond, agents: "2", warmup: 50 * time.Millisecond,
		window: 600 * time.Millisecond, rounds: 2, floor: true,
	}
	if _, err := runOverhead(t.Context(), f, &out); err != nil {
		t.Fatalf("overhead: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, want := range []string{"sandbox in a process of its own", "raw GET", "relay (floor)", "order page",
		"ratio page/raw", "ratio relay/raw", "ratio page/relay"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for _, l := range strings.Split(report, "\n") {
		if fields := strings.Fields(l); len(fields) > 3 && strings.Contains(l, "relay (floor)") && fields[3] == "0" {
			t.Errorf("the relay served no request: %q", l)
		}
	}
}
