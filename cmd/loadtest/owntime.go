package main

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"ordercare/internal/orders"
)

// Own time: a change's wall time minus the time its provider round trips
// took, measured per change. "Added at p99" as the difference of two
// tails (the pipeline's p99 minus the provider calls' p99, each the
// 15th-worst of 1,500) moves by tens of milliseconds from run to run
// when the machine's own tail does; the back office's own part of each
// change does not carry the provider's latency or its jitter, so its
// quantiles are read directly.

type providerClockKey struct{}

// providerClock sums the round trips of one change and keeps when each
// ran, so that the breakdown can leave them out of the phase they fall in.
type providerClock struct {
	spent atomic.Int64
	mu    sync.Mutex
	spans []span
}

// span is a stretch of time, [from, to).
type span struct{ from, to time.Time }

func (c *providerClock) add(from time.Time) {
	to := time.Now()
	c.spent.Add(int64(to.Sub(from)))
	c.mu.Lock()
	c.spans = append(c.spans, span{from, to})
	c.mu.Unlock()
}

// within is how much of [from, to) the round trips took.
func (c *providerClock) within(from, to time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var d time.Duration
	for _, s := range c.spans {
		a, b := s.from, s.to
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			d += b.Sub(a)
		}
	}
	return d
}

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
		c.add(t0)
		return resp, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func() { c.add(t0) }}
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
	// parts is the own time of each of Apply's phases (the provider's
	// round trips in it left out), and at [outside] what the change
	// spent outside Apply; traced says they were recorded (a change
	// through the pipeline).
	parts  [numParts]time.Duration
	traced bool
	// appends are when the change waited for its two audit commits.
	appends [2]span
}

// outside is the part of a change outside Apply (the load test's own
// bookkeeping, the client's encoding before the lock).
const outside = int(orders.NumPhases)

const numParts = outside + 1

func partName(i int) string {
	for p := range orders.NumPhases {
		if int(p) == i {
			return p.String()
		}
	}
	return "outside Apply"
}

func (o *ownTimes) add(s ownSample) {
	o.mu.Lock()
	o.samples = append(o.samples, s)
	o.mu.Unlock()
}

// since hands over (and forgets) the samples of changes started at or
// after from, sorted.
func (o *ownTimes) since(from time.Time) []time.Duration {
	var out []time.Duration
	for _, s := range o.take(from) {
		out = append(out, s.own)
	}
	slices.Sort(out)
	return out
}

// take hands over (and forgets) the samples of changes started at or
// after from.
func (o *ownTimes) take(from time.Time) []ownSample {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []ownSample
	for _, s := range o.samples {
		if !s.at.Before(from) {
			out = append(out, s)
		}
	}
	o.samples = nil
	return out
}

// timed runs one change with a provider clock and a trace of Apply's
// phases, and records its own time and their parts of it.
func (o *ownTimes) timed(ctx context.Context, change func(context.Context) error) error {
	ctx, clock := withProviderClock(ctx)
	var tr orders.Trace
	ctx = orders.WithTrace(ctx, &tr)
	t0 := time.Now()
	err := change(ctx)
	t1 := time.Now()
	if err != nil {
		return err
	}
	s := ownSample{at: t0, own: t1.Sub(t0) - time.Duration(clock.spent.Load())}
	s.traced = !tr.Start.IsZero()
	for _, e := range tr.Ends {
		s.traced = s.traced && !e.IsZero()
	}
	if s.traced {
		from := tr.Start
		for i, to := range tr.Ends {
			s.parts[i] = to.Sub(from) - clock.within(from, to)
			from = to
		}
		s.parts[outside] = s.own
		for _, p := range s.parts[:outside] {
			s.parts[outside] -= p
		}
		s.appends = [2]span{{tr.Ends[orders.PhaseChecks], tr.Ends[orders.PhaseRequested]},
			{tr.Ends[orders.PhaseReadAfter], tr.Ends[orders.PhaseCompleted]}}
	}
	o.add(s)
	return nil
}
