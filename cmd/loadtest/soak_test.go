package main

import "testing"

// TestSoakCycleIsTheDocumentedMix: one cycle is 20 requests, 2 changes
// (form + submit each), 8 order pages, 3 searches, 2 start pages and 3
// /healthz, as scripts/soak.sh and docs/RELIABILITY.md say.
func TestSoakCycleIsTheDocumentedMix(t *testing.T) {
	t.Parallel()
	requests := map[soakKind]int{}
	total := 0
	for _, k := range soakCycle {
		requests[k] += k.requests()
		total += k.requests()
	}
	want := map[soakKind]int{kindChange: 4, kindOrder: 8, kindSearch: 2, kindFilter: 1, kindStart: 2, kindHealth: 3}
	if total != 20 {
		t.Fatalf("a cycle is %d requests, want 20", total)
	}
	for k, n := range want {
		if requests[k] != n {
			t.Errorf("%s: %d requests per cycle, want %d", kindNames[k], requests[k], n)
		}
	}
}
