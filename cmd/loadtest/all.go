package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

// allCmd runs every benchmark in order; flags apply where they exist.
func allCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest all", flag.ContinueOnError)
	var sf stackFlags
	sf.register(fs)
	window := fs.Duration("window", 10*time.Second, "measured time per overhead phase and of the render run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	steps := []struct {
		name string
		run  func() error
	}{
		{"footprint", func() error { return runFootprint(ctx, footprintFlags{dir: sf.dir, keep: sf.keep, starts: 5}, out) }},
		{"overhead", func() error {
			_, err := runOverhead(ctx, overheadFlags{stack: sf, latency: 50 * time.Millisecond, agents: "1,10,50",
				warmup: time.Second, window: *window, rounds: 5}, out)
			return err
		}},
		{"overhead paced", func() error {
			_, err := runOverhead(ctx, overheadFlags{stack: sf, latency: 50 * time.Millisecond, agents: "1,10,50",
				warmup: time.Second, window: *window, rounds: 5, pace: time.Second}, out)
			return err
		}},
		{"render", func() error {
			return runRender(ctx, renderFlags{stack: sf, agents: 50, warmup: 2 * time.Second, window: *window}, out)
		}},
		{"render paced", func() error {
			return runRender(ctx, renderFlags{stack: sf, agents: 50, warmup: 2 * time.Second, window: *window, pace: time.Second}, out)
		}},
		{"audit", func() error {
			return runAudit(ctx, auditFlags{dir: sf.dir, keep: sf.keep, writers: "1,10,50", window: 5 * time.Second, fsyncWindow: 3 * time.Second}, out)
		}},
		{"caching", func() error { return runCaching(ctx, sf, out) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintln(out)
	}
	return nil
}
