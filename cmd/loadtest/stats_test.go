package main

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPercentilesNearestRank(t *testing.T) {
	t.Parallel()
	samples := make([]time.Duration, 100)
	for i := range samples {
		samples[i] = time.Duration(i+1) * time.Millisecond // 1..100 ms
	}
	p := phase{samples: samples, elapsed: 2 * time.Second}
	tests := []struct {
		q    float64
		want time.Duration
	}{
		{0.50, 50 * time.Millisecond},
		{0.95, 95 * time.Millisecond},
		{0.99, 99 * time.Millisecond},
		{1, 100 * time.Millisecond},
		{0, 1 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := p.pct(tc.q); got != tc.want {
			t.Errorf("pct(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := p.perSecond(); got != 50 {
		t.Errorf("perSecond = %v, want 50", got)
	}
	if got := (phase{}).pct(0.99); got != 0 {
		t.Errorf("pct of no samples = %v, want 0", got)
	}
}

func TestParseCounts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1,10,50", []int{1, 10, 50}, false},
		{" 5 ", []int{5}, false},
		{"1,,2", nil, true},
		{"0", nil, true},
		{"ten", nil, true},
	}
	for _, tc := range tests {
		got, err := parseCounts(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseCounts(%q) error = %v, want error %t", tc.in, err, tc.wantErr)
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("parseCounts(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("parseCounts(%q) = %v, want %v", tc.in, got, tc.want)
			}
		}
	}
}

// runPhase counts only what finished without error after the warm-up.
func TestRunPhaseCountsSuccessesAfterWarmup(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	p := runPhase(context.Background(), 2, 20*time.Millisecond, 60*time.Millisecond, func(_ context.Context, w, k int) error {
		time.Sleep(time.Millisecond)
		if w == 1 && k%2 == 0 {
			return boom
		}
		return nil
	})
	if p.errors == 0 || !errors.Is(p.firstErr, boom) {
		t.Fatalf("errors = %d, first %v; want the failures of worker 1 counted", p.errors, p.firstErr)
	}
	if p.count() == 0 {
		t.Fatal("no successful samples")
	}
	for i := 1; i < len(p.samples); i++ {
		if p.samples[i] < p.samples[i-1] {
			t.Fatal("samples not sorted")
		}
	}
}

// runPaced keeps each worker to its schedule: about window/interval
// requests per worker, not as many as fit.
func TestRunPacedKeepsTheSchedule(t *testing.T) {
	t.Parallel()
	p := runPaced(context.Background(), 4, 0, 200*time.Millisecond, 50*time.Millisecond, func(context.Context, int, int) error {
		return nil
	})
	if p.count() < 12 || p.count() > 20 {
		t.Fatalf("4 workers, one request per 50 ms for 200 ms: got %d requests, want about 16", p.count())
	}
}

func TestMergePoolsSamplesSorted(t *testing.T) {
	t.Parallel()
	a := phase{samples: []time.Duration{1, 5, 9}, elapsed: time.Second}
	b := phase{samples: []time.Duration{2, 3}, errors: 1, firstErr: errors.New("x"), elapsed: time.Second}
	m := a.merge(b)
	want := []time.Duration{1, 2, 3, 5, 9}
	if len(m.samples) != len(want) || m.errors != 1 || m.firstErr == nil || m.elapsed != 2*time.Second {
		t.Fatalf("merge = %+v", m)
	}
	for i := range want {
		if m.samples[i] != want[i] {
			t.Fatalf("samples = %v, want %v", m.samples, want)
		}
	}
	if m.perSecond() != 2.5 {
		t.Errorf("perSecond = %v, want 2.5", m.perSecond())
	}
}

// TestRatioIntervalBracketsTheTrueRatio: with 1,500 samples per path the
// interval of the p99 ratio holds the ratio the paths were drawn with,
// and tells a page 20 % slower from one 1 % slower.
func TestRatioIntervalBracketsTheTrueRatio(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	draw := func(scale float64) phase {
		var p phase
		for range 1500 {
			// 50 ms plus an exponential tail of mean 2 ms, as a paced provider GET.
			p.samples = append(p.samples, time.Duration(scale*float64(50*time.Millisecond+time.Duration(rng.ExpFloat64()*2e6))))
		}
		slices.Sort(p.samples)
		return p
	}
	raw := draw(1)
	for _, tc := range []struct {
		scale float64
		want  string
	}{{1.20, "above 1.05"}, {1.01, "at most 1.05"}} {
		page := draw(tc.scale)
		lo, hi := ratioInterval(page, raw, 0.99)
		if lo > tc.scale || hi < tc.scale || lo >= hi {
			t.Errorf("scale %.2f: interval %.3f-%.3f does not hold it", tc.scale, lo, hi)
		}
		if got := verdict(lo, hi, overheadTarget); !strings.HasPrefix(got, tc.want) {
			t.Errorf("scale %.2f: verdict %q, want %q", tc.scale, got, tc.want)
		}
	}
	for n, want := range map[int]bool{10: false, 500: false, 999: false, 1000: true, 6000: true} {
		if got := enoughForInterval(n, 0.99); got != want {
			t.Errorf("enoughForInterval(%d, 0.99) = %v, want %v", n, got, want)
		}
	}
	if got := verdict(1.02, 1.08, overheadTarget); !strings.Contains(got, "not established") {
		t.Errorf("verdict of an interval across the bound: %q", got)
	}
}

// TestPctIntervalHoldsTheTrueQuantile: 1,500 paced page times, 2 ms plus
// an exponential tail of mean 2 ms, whose true p99 is 2 + 2 ln 100 =
// 11.21 ms: the interval holds it and reads as above a 9 ms bound.
func TestPctIntervalHoldsTheTrueQuantile(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var p phase
	for range 1500 {
		p.samples = append(p.samples, 2*time.Millisecond+time.Duration(rng.ExpFloat64()*2e6))
	}
	slices.Sort(p.samples)
	lo, hi := pctInterval(p, 0.99)
	const truth = 11.21
	l, h := lo.Seconds()*1000, hi.Seconds()*1000
	if l > truth || h < truth {
		t.Fatalf("interval %.2f-%.2f ms does not hold the true p99 %.2f ms", l, h, truth)
	}
	if got := verdict(l, h, 9); !strings.HasPrefix(got, "above") {
		t.Errorf("against 9 ms: %q", got)
	}
}
