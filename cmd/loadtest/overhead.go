package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

type overheadFlags struct {
	stack   stackFlags
	latency time.Duration
	agents  string
	warmup  time.Duration
	window  time.Duration
	rounds  int
	pace    time.Duration
	floor   bool
	remote  remoteFlags
}

func (f *overheadFlags) register(fs *flag.FlagSet) {
	f.stack.register(fs)
	fs.DurationVar(&f.latency, "latency", 50*time.Millisecond, "latency the sandbox adds to every response, like a remote provider")
	fs.StringVar(&f.agents, "agents", "1,10,50", "comma-separated numbers of concurrent agents")
	fs.DurationVar(&f.warmup, "warmup", time.Second, "warm-up per phase, not counted")
	fs.DurationVar(&f.window, "window", 10*time.Second, "measured time per phase")
	fs.DurationVar(&f.pace, "pace", 0, "each worker starts a request every pace (agents with think time); 0: back to back (closed loop)")
	fs.IntVar(&f.rounds, "rounds", 5, "split each phase's window into this many raw/page rounds, alternating, each with its own warm-up")
	fs.BoolVar(&f.floor, "floor", false, "also measure a do-nothing relay process between agent and provider (loadtest relay): the ratio a back office of zero cost would reach")
	f.remote.register(fs)
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-agents: %q is not a list of positive numbers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func overheadCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest overhead", flag.ContinueOnError)
	var f overheadFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, err := runOverhead(ctx, f, out)
	return err
}

// overheadRow is one line of the overhead table.
type overheadRow struct {
	agents    int
	raw, page phase
	// rawConns and pageConns are the connections the sandbox accepted
	// during each phase.
	rawConns, pageConns int64
	// relay and relayConns: the same for the relay (-floor), if measured.
	relay      *phase
	relayConns int64
}

// runOverhead measures, for each agent count, the raw provider GET and the
// order page for the same orders, and prints the page/raw ratios. It
// returns the back office's memory after the run (subprocess only).
func runOverhead(ctx context.Context, f overheadFlags, out io.Writer) (memAfter procMem, err error) {
	counts, err := parseCounts(f.agents)
	if err != nil {
		return procMem{}, err
	}
	if f.rounds < 1 {
		return procMem{}, errors.New("-rounds must be at least 1")
	}
	maxAgents := 0
	for _, n := range counts {
		maxAgents = max(maxAgents, n)
	}
	var sb *sandbox
	var bo *backOffice
	relayURL, mode := "", modeName(f.stack)
	if f.remote.set() {
		if err := f.remote.check(f.stack, f.floor); err != nil {
			return procMem{}, err
		}
		if sb, bo, err = f.remote.connect(ctx); err != nil {
			return procMem{}, err
		}
		relayURL, mode = strings.TrimRight(f.remote.relay, "/"), f.remote.String()
	} else {
		// No := here: the deferred stop below must join into the named err.
		var dir string
		var cleanup func()
		if dir, cleanup, err = f.stack.workDir(); err != nil {
			return procMem{}, err
		}
		defer cleanup()
		if sb, err = f.stack.startSandbox(ctx, dir); err != nil {
			return procMem{}, err
		}
		defer sb.close()
		if bo, err = startBackOffice(ctx, &f.stack, dir, sb, maxAgents); err != nil {
			return procMem{}, err
		}
		defer func() { err = errors.Join(err, bo.stop()) }()
		if f.floor {
			relay, u, err := startRelay(ctx, sb)
			if err != nil {
				return procMem{}, err
			}
			defer relay.stop()
			relayURL = u
		}
	}
	if bo.pid != 0 {
		if m, err := readProcMem(bo.pid); err == nil {
			fmt.Fprintf(out, "back office pid %d after start: %s\n", bo.pid, m)
		}
	}

	agents, err := signInAgents(ctx, bo.url, maxAgents)
	if err != nil {
		return procMem{}, err
	}
	ids := sb.orderIDs
	// Same order for both paths: worker w, request k.
	orderFor := func(w, k int) string { return ids[(w*7+k)%len(ids)] }
	if body, err := agents[0].get(ctx, "/orders/"+ids[0]); err != nil {
		return procMem{}, fmt.Errorf("order page: %w", err)
	} else if !bytes.Contains(body, []byte(ids[0])) {
		return procMem{}, errors.New("order page does not show its order id")
	}

	if err := sb.setLatency(ctx, f.latency); err != nil {
		return procMem{}, err
	}
	defer func() { err = errors.Join(err, sb.setLatency(context.WithoutCancel(ctx), 0)) }()
	pacing := "back to back"
	if f.pace > 0 {
		pacing = "one request per worker every " + f.pace.String()
	}
	fmt.Fprintf(out, "overhead: sandbox latency %s, %s, %d orders, %d rounds of warm-up %s + %s measured per path, %s; %s\n",
		f.latency, pacing, len(ids), f.rounds, f.warmup, f.window/time.Duration(f.rounds), mode, machineLoad())
	var rows []overheadRow
	for _, n := range counts {
		raws := make([]*rawClient, n)
		var relays []*rawClient
		for i := range raws {
			raws[i] = newRawClient(sb)
			if relayURL != "" {
				relays = append(relays, newRelayClient(relayURL))
			}
		}
		row := overheadRow{agents: n}
		if relayURL != "" {
			row.relay = &phase{}
		}
		// Alternate short raw and page phases so that both see the same
		// background load on a shared machine; the samples are pooled.
		window := f.window / time.Duration(f.rounds)
		run := runPhase
		if f.pace > 0 {
			run = func(ctx context.Context, workers int, warmup, window time.Duration, op func(context.Context, int, int) error) phase {
				return runPaced(ctx, workers, warmup, window, f.pace, op)
			}
		}
		for range f.rounds {
			c0, err := sb.connCount(ctx)
			if err != nil {
				return procMem{}, err
			}
			row.raw = row.raw.merge(run(ctx, n, f.warmup, window, func(ctx context.Context, w, k int) error {
				_, err := raws[w].getOrder(ctx, orderFor(w, k))
				return err
			}))
			c1, err := sb.connCount(ctx)
			if err != nil {
				return procMem{}, err
			}
			if row.relay != nil {
				*row.relay = row.relay.merge(run(ctx, n, f.warmup, window, func(ctx context.Context, w, k int) error {
					_, err := relays[w].getOrder(ctx, orderFor(w, k))
					return err
				}))
				c, err := sb.connCount(ctx)
				if err != nil {
					return procMem{}, err
				}
				row.relayConns += c - c1
				c1 = c
			}
			row.page = row.page.merge(run(ctx, n, f.warmup, window, func(ctx context.Context, w, k int) error {
				_, err := agents[w].get(ctx, "/orders/"+orderFor(w, k))
				return err
			}))
			c2, err := sb.connCount(ctx)
			if err != nil {
				return procMem{}, err
			}
			row.rawConns += c1 - c0
			row.pageConns += c2 - c1
		}
		rows = append(rows, row)
		if ctx.Err() != nil {
			return procMem{}, ctx.Err()
		}
	}
	printOverhead(out, rows)
	fmt.Fprintf(out, "%s at the end\n", machineLoad())
	if bo.pid != 0 {
		if memAfter, err = readProcMem(bo.pid); err == nil {
			fmt.Fprintf(out, "back office pid %d after the overhead run: %s\n", bo.pid, memAfter)
		}
	}
	for _, r := range rows {
		if r.relay != nil && r.relay.errors > 0 {
			return memAfter, fmt.Errorf("%d agents: %d relay errors, first: %v", r.agents, r.relay.errors, r.relay.firstErr)
		}
		if r.raw.errors+r.page.errors > 0 {
			return memAfter, fmt.Errorf("%d agents: %d raw and %d page errors, first: %v", r.agents,
				r.raw.errors, r.page.errors, errors.Join(r.raw.firstErr, r.page.firstErr))
		}
	}
	return memAfter, nil
}

func printOverhead(out io.Writer, rows []overheadRow) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "agents\tpath\tn\treq/s\tp50 ms\tp95 ms\tp99 ms\tprovider conns\t")
	type line struct {
		name  string
		ph    phase
		conns int64
	}
	ratioLine := func(agents int, name string, a, b phase) {
		fmt.Fprintf(tw, "%d\tratio %s\t\t\t%.3f\t%.3f\t%.3f\t\n", agents, name, ratio(a.pct(0.50), b.pct(0.50)),
			ratio(a.pct(0.95), b.pct(0.95)), ratio(a.pct(0.99), b.pct(0.99)))
	}
	for _, r := range rows {
		lines := []line{{"raw GET", r.raw, r.rawConns}}
		if r.relay != nil {
			lines = append(lines, line{"relay (floor)", *r.relay, r.relayConns})
		}
		lines = append(lines, line{"order page", r.page, r.pageConns})
		for _, p := range lines {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%.0f\t%s\t%s\t%s\t%d\t\n", r.agents, p.name, p.ph.count(), p.ph.perSecond(),
				ms(p.ph.pct(0.50)), ms(p.ph.pct(0.95)), ms(p.ph.pct(0.99)), p.conns)
		}
		ratioLine(r.agents, "page/raw", r.page, r.raw)
		if r.relay != nil {
			ratioLine(r.agents, "relay/raw", *r.relay, r.raw)
			ratioLine(r.agents, "page/relay", r.page, *r.relay)
		}
	}
	_ = tw.Flush()
	for _, r := range rows {
		printInterval(out, r.agents, "page/raw", r.page, r.raw)
		if r.relay != nil {
			printInterval(out, r.agents, "relay/raw", *r.relay, r.raw)
		}
	}
}

// printInterval prints the p99 ratio a/b with its bootstrap interval and
// how it stands against the target.
func printInterval(out io.Writer, agents int, name string, a, b phase) {
	if n := min(a.count(), b.count()); !enoughForInterval(n, 0.99) {
		fmt.Fprintf(out, "%d agents: p99 ratio %s %.3f from %d samples: too few for an interval (a p99 needs %d per path; -window sets them)\n",
			agents, name, ratio(a.pct(0.99), b.pct(0.99)), n, minTail*100)
		return
	}
	lo, hi := ratioInterval(a, b, 0.99)
	fmt.Fprintf(out, "%d agents: p99 ratio %s %.3f, 95 %% bootstrap interval %.3f-%.3f: %s\n",
		agents, name, ratio(a.pct(0.99), b.pct(0.99)), lo, hi, verdict(lo, hi, overheadTarget))
}

// overheadTarget is the bound on the p99 ratio page/raw.
const overheadTarget = 1.05

// verdict reads a ratio's interval against an upper bound.
func verdict(lo, hi, bound float64) string {
	switch {
	case hi <= bound:
		return fmt.Sprintf("at most %.2f with 95 %% confidence", bound)
	case lo > bound:
		return fmt.Sprintf("above %.2f with 95 %% confidence", bound)
	}
	return fmt.Sprintf("%.2f lies inside the interval: not established either way", bound)
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// modeName says where the back office and the sandbox run.
func modeName(f stackFlags) string {
	bo := "back office as a subprocess"
	if f.inProcess {
		bo = "back office in process"
	}
	if f.providerProcess {
		return bo + ", sandbox in a process of its own"
	}
	return bo + ", sandbox in this process"
}
