package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"time"

	"ordercare/internal/dbwatch"
)

type renderFlags struct {
	stack      stackFlags
	agents     int
	warmup     time.Duration
	window     time.Duration
	cpuProfile string
	waitDump   string
	pace       time.Duration
}

func (f *renderFlags) register(fs *flag.FlagSet) {
	f.stack.register(fs)
	fs.IntVar(&f.agents, "agents", 50, "concurrent agents")
	fs.DurationVar(&f.warmup, "warmup", 2*time.Second, "warm-up, not counted")
	fs.DurationVar(&f.window, "window", 15*time.Second, "measured time")
	fs.DurationVar(&f.pace, "pace", 0, "each agent opens a page every pace (think time); 0: the next page as soon as the last arrived (closed loop, the throughput limit)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured window to this file (runs the back office in process)")
	fs.StringVar(&f.waitDump, "goroutines", "", "write the goroutines' stacks halfway through the window to this file, to see what requests wait on (runs the back office in process)")
}

func renderCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest render", flag.ContinueOnError)
	var f renderFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return runRender(ctx, f, out)
}

// renderTarget is the bound on the paced order page's p99, in ms.
const renderTarget = 10

// runRender measures the order page with the provider answering at once:
// what the back office itself costs per page.
func runRender(ctx context.Context, f renderFlags, out io.Writer) (err error) {
	if f.agents < 1 {
		return errors.New("-agents must be at least 1")
	}
	if f.cpuProfile != "" || f.waitDump != "" {
		f.stack.inProcess = true // the profile is of this process
	}
	dir, cleanup, err := f.stack.workDir()
	if err != nil {
		return err
	}
	defer cleanup()
	sb, err := f.stack.startSandbox(ctx, dir)
	if err != nil {
		return err
	}
	defer sb.close()
	var commits *dbwatch.Counter
	if f.stack.inProcess {
		commits = dbwatch.Watch(dir)
	}
	bo, err := startBackOffice(ctx, &f.stack, dir, sb, f.agents)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, bo.stop()) }()
	agents, err := signInAgents(ctx, bo.url, f.agents)
	if err != nil {
		return err
	}
	ids := sb.orderIDs
	op := func(ctx context.Context, w, k int) error {
		_, err := agents[w].get(ctx, "/orders/"+ids[(w*7+k)%len(ids)])
		return err
	}
	if f.cpuProfile != "" {
		// Warm up first, then profile exactly the measured window.
		runPhase(ctx, f.agents, 0, f.warmup, op)
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			_ = pf.Close()
			return err
		}
		f.warmup = 0
		defer func() {
			pprof.StopCPUProfile()
			err = errors.Join(err, pf.Close())
			fmt.Fprintf(out, "CPU profile (load generator, sandbox and back office in one process): %s\n"+
				"  summarise: go tool pprof -top -focus 'ordercare/internal/handlers' %s\n", f.cpuProfile, f.cpuProfile)
		}()
	}
	if f.waitDump != "" {
		t := time.AfterFunc(f.warmup+f.window/2, func() { dumpGoroutines(f.waitDump) })
		defer t.Stop()
	}
	loadBefore := machineLoad()
	var cpu0 time.Duration
	if bo.pid != 0 || commits != nil {
		// Warm up outside the CPU and write counts, then count only the window.
		if f.pace > 0 {
			runPaced(ctx, f.agents, 0, f.warmup, f.pace, op)
		} else {
			runPhase(ctx, f.agents, 0, f.warmup, op)
		}
		f.warmup = 0
		cpu0, _ = procCPU(bo.pid)
	}
	var commits0, rows0 map[string]int64
	if commits != nil {
		commits0, rows0 = commits.CommitsByFile(), commits.Rows()
	}
	var p phase
	how := "closed loop (next page as soon as the last arrived)"
	if f.pace > 0 {
		p = runPaced(ctx, f.agents, f.warmup, f.window, f.pace, op)
		how = fmt.Sprintf("each agent opens a page every %s", f.pace)
	} else {
		p = runPhase(ctx, f.agents, f.warmup, f.window, op)
	}
	fmt.Fprintf(out, "render: zero provider latency, %d agents, %s, %s measured, %s; %s before, %s after\n",
		f.agents, how, f.window, modeName(f.stack), loadBefore, machineLoad())
	fmt.Fprintf(out, "  order pages: %d in %.1f s = %.0f req/s; p50 %s ms, p95 %s ms, p99 %s ms, max %s ms; errors %d\n",
		p.count(), p.elapsed.Seconds(), p.perSecond(), ms(p.pct(0.50)), ms(p.pct(0.95)), ms(p.pct(0.99)), ms(p.pct(1)), p.errors)
	if enoughForInterval(p.count(), 0.99) {
		lo, hi := pctInterval(p, 0.99)
		fmt.Fprintf(out, "  p99 95 %% bootstrap interval %s-%s ms: %s\n", ms(lo), ms(hi),
			verdict(float64(lo)/float64(time.Millisecond), float64(hi)/float64(time.Millisecond), renderTarget))
	}
	if bo.pid != 0 && p.count() > 0 {
		if cpu1, err := procCPU(bo.pid); err == nil {
			used := cpu1 - cpu0
			fmt.Fprintf(out, "  back office CPU: %s ms per order page (%.2f cores busy on average)\n",
				ms(used/time.Duration(p.count())), used.Seconds()/p.elapsed.Seconds())
		}
	}
	if commits != nil && p.count() > 0 {
		fmt.Fprintf(out, "  SQLite write transactions per order page: %s\n", perRequest(commits0, commits.CommitsByFile(), p.count()))
		fmt.Fprintf(out, "  rows written per order page, by table: %s\n", rowsPerRequest(rows0, commits.Rows(), p.count()))
	}
	if bo.pid != 0 {
		if m, err := readProcMem(bo.pid); err == nil {
			fmt.Fprintf(out, "  back office after the run: %s\n", m)
		}
	}
	if p.errors > 0 {
		return fmt.Errorf("%d order-page errors, first: %w", p.errors, p.firstErr)
	}
	return nil
}

// dumpGoroutines writes every goroutine's stack, grouped, to path.
func dumpGoroutines(path string) {
	f, err := os.Create(path) // #nosec G304 -- the file the operator named with -goroutines
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest: goroutine dump:", err)
		return
	}
	defer func() { _ = f.Close() }()
	_ = pprof.Lookup("goroutine").WriteTo(f, 1)
}
