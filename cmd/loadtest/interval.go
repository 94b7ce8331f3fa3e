package main

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"time"
)

// bootstrapResamples is how many resamples ratioInterval draws: enough
// for the 2.5 % and 97.5 % points of the ratio to move by less than the
// printed precision between seeds.
const bootstrapResamples = 2000

// minTail is how many samples must lie beyond the quantile for its
// bootstrap interval to mean anything: with fewer, the quantile is one of
// the last few samples, and every resample's is too (for a p99, 1,000
// samples per path).
const minTail = 10

// enoughForInterval reports whether a q-quantile of n samples has minTail
// samples beyond it.
func enoughForInterval(n int, q float64) bool { return float64(n)*(1-q) >= minTail-1e-9 }

// ratioInterval is a 95 % percentile-bootstrap interval of
// a.pct(q)/b.pct(q): both paths' samples are drawn again with replacement
// and the ratio recomputed, bootstrapResamples times. A p99 of 1,500
// samples rests on its top 15, so two runs' p99 ratios differ by a few
// hundredths; the interval says how far the measured one can be trusted.
// The seed is fixed, so the same samples print the same interval.
func ratioInterval(a, b phase, q float64) (lo, hi float64) {
	if a.count() == 0 || b.count() == 0 {
		return 0, 0
	}
	ia, ib := make([]int, a.count()), make([]int, b.count())
	return bootstrap(func(rng *rand.Rand) float64 {
		return ratio(resampledPct(rng, a, q, ia), resampledPct(rng, b, q, ib))
	})
}

// pctInterval is a 95 % percentile-bootstrap interval of p.pct(q).
func pctInterval(p phase, q float64) (lo, hi time.Duration) {
	if p.count() == 0 {
		return 0, 0
	}
	idx := make([]int, p.count())
	return bootstrap(func(rng *rand.Rand) time.Duration { return resampledPct(rng, p, q, idx) })
}

// bootstrap computes stat on bootstrapResamples resamples and returns its
// 2.5 % and 97.5 % points.
func bootstrap[T cmp.Ordered](stat func(rng *rand.Rand) T) (lo, hi T) {
	rng := resampler()
	vals := make([]T, bootstrapResamples)
	for i := range vals {
		vals[i] = stat(rng)
	}
	slices.Sort(vals)
	return vals[bootstrapResamples*25/1000], vals[bootstrapResamples*975/1000-1]
}

// resampler is the fixed-seed source of the resamples, so that the same
// samples print the same interval.
func resampler() *rand.Rand {
	return rand.New(rand.NewPCG(1, 2)) // #nosec G404 -- statistical resampling that must be reproducible, not a secret
}

// resampledPct is p.pct(q) of a resample of p's samples. The samples are
// sorted, so the quantile of a resample is the sample at the same
// quantile of the drawn indices (idx is scratch of len(p.samples)).
func resampledPct(rng *rand.Rand, p phase, q float64, idx []int) time.Duration {
	n := len(idx)
	for i := range idx {
		idx[i] = rng.IntN(n)
	}
	slices.Sort(idx)
	return p.samples[idx[rankIndex(q, n)]]
}
