package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// phase is the outcome of running one workload for a while.
type phase struct {
	samples  []time.Duration // latencies after the warm-up, sorted
	errors   int
	firstErr error
	elapsed  time.Duration // measured window (after warm-up)
}

// merge pools two phases' samples (kept sorted), errors and time.
func (p phase) merge(q phase) phase {
	out := phase{errors: p.errors + q.errors, firstErr: p.firstErr, elapsed: p.elapsed + q.elapsed}
	if out.firstErr == nil {
		out.firstErr = q.firstErr
	}
	out.samples = append(append(make([]time.Duration, 0, len(p.samples)+len(q.samples)), p.samples...), q.samples...)
	slices.Sort(out.samples)
	return out
}

func (p phase) count() int { return len(p.samples) }

// perSecond is completed requests per second in the measured window.
func (p phase) perSecond() float64 {
	if p.elapsed <= 0 {
		return 0
	}
	return float64(len(p.samples)) / p.elapsed.Seconds()
}

// pct is the q-quantile (0..1) by the nearest-rank method.
func (p phase) pct(q float64) time.Duration {
	n := len(p.samples)
	if n == 0 {
		return 0
	}
	return p.samples[rankIndex(q, n)]
}

// rankIndex is the index of the q-quantile among n sorted values by the
// nearest-rank method.
func rankIndex(q float64, n int) int {
	i := int(q*float64(n)+0.999999) - 1
	return min(max(i, 0), n-1)
}

// runPhase runs workers goroutines, each calling op in a loop with its
// worker number and a per-worker counter, for warmup + window. Requests
// that start during the warm-up are not counted; the window ends for new
// requests at its deadline and in-flight ones finish.
func runPhase(ctx context.Context, workers int, warmup, window time.Duration, op func(ctx context.Context, w, k int) error) phase {
	start := time.Now()
	measureFrom := start.Add(warmup)
	stopAt := measureFrom.Add(window)
	var mu sync.Mutex
	var out phase
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var local []time.Duration
			var errs int
			var first error
			for k := 0; ; k++ {
				t0 := time.Now()
				if !t0.Before(stopAt) || ctx.Err() != nil {
					break
				}
				err := op(ctx, w, k)
				d := time.Since(t0)
				if t0.Before(measureFrom) {
					continue
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				local = append(local, d)
			}
			mu.Lock()
			out.samples = append(out.samples, local...)
			out.errors += errs
			if out.firstErr == nil {
				out.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(measureFrom)
	slices.Sort(out.samples)
	return out
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// runPaced is runPhase with think time: each worker starts a request every
// interval (workers staggered evenly), like agents who read a page before
// opening the next. Latency counts from the scheduled start, so a request
// that had to wait for an earlier one still shows the wait (no coordinated
// omission).
func runPaced(ctx context.Context, workers int, warmup, window, interval time.Duration, op func(ctx context.Context, w, k int) error) phase {
	start := time.Now()
	measureFrom := start.Add(warmup)
	stopAt := measureFrom.Add(window)
	var mu sync.Mutex
	var out phase
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var local []time.Duration
			var errs int
			var first error
			next := start.Add(time.Duration(w) * interval / time.Duration(workers))
			for k := 0; next.Before(stopAt) && ctx.Err() == nil; k++ {
				if d := time.Until(next); d > 0 {
					time.Sleep(d)
				}
				err := op(ctx, w, k)
				d := time.Since(next)
				counted := !next.Before(measureFrom)
				next = next.Add(interval)
				if !counted {
					continue
				}
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				local = append(local, d)
			}
			mu.Lock()
			out.samples = append(out.samples, local...)
			out.errors += errs
			if out.firstErr == nil {
				out.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	out.elapsed = time.Since(measureFrom)
	slices.Sort(out.samples)
	return out
}
