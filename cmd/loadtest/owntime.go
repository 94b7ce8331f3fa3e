package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Own time: a change's wall time minus the time its provider round trips
// took, measured per change. "Added at p99" as the difference of two
// tails (the pipeline's p99 minus the provider calls' p99, each the
// 15th-worst of 1,500) moves by tens of milliseconds from run to run
// when the machine's own tail does; the back office's own part of each
// change does not carry the provider's latency or its jitter, so its
// quantiles are read directly.

type providerClockKey struct{}

// providerClock sums the round trips of one change.
type providerClock struct{ spent atomic.Int64 }

func withProviderClock(ctx context.Context) (context.Context, *providerClock) {
	c := &providerClock{}
	return context.WithValue(ctx, providerClockKey{}, c), c
}

// timedTransport adds each round trip, from sending the request to
// closing the answer's body, to the clock in the request's context.
type timedTransport struct{ base http.RoundTripper }

func (t timedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c, _ := req.Context().Value(providerClockKey{}).(*providerClock)
	t0 := time.Now()
	resp, err := t.base.RoundTrip(req)
	if c == nil {
		return resp, err
	}
	if err != nil {
		c.spent.Add(int64(time.Since(t0)))
		return resp, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func() { c.spent.Add(int64(time.Since(t0))) }}
	return resp, nil
}

type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// ownTimes collects the own time of every change of a phase, with the
// moment it started so that the warm-up's can be left out.
type ownTimes struct {
	mu      sync.Mutex
	samples []ownSample
}

type ownSample struct {
	at  time.Time
	own time.Duration
}

func (o *ownTimes) add(at time.Time, own time.Duration) {
	o.mu.Lock()
	o.samples = append(o.samples, ownSample{at, own})
	o.mu.Unlock()
}

// since hands over (and forgets) the samples of changes started at or
// after from, sorted.
func (o *ownTimes) since(from time.Time) []time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []time.Duration
	for _, s := range o.samples {
		if !s.at.Before(from) {
			out = append(out, s.own)
		}
	}
	o.samples = nil
	slices.Sort(out)
	return out
}

// timed runs one change with a provider clock and records its own time.
func (o *ownTimes) timed(ctx context.Context, change func(context.Context) error) error {
	ctx, clock := withProviderClock(ctx)
	t0 := time.Now()
	err := change(ctx)
	if err == nil {
		o.add(t0, time.Since(t0)-time.Duration(clock.spent.Load()))
	}
	return err
}
