package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// The change path's own cost: what the pipeline (orders.Service.Apply)
// adds to a capture and a refund over the provider's own calls. Apply
// makes three provider calls (read the order, the capture or refund, read
// it again); the baseline is the same three calls made straight to the
// provider by the same client. The pipeline runs with its intent checks
// off (the change path before them) and on, in alternating rounds so that
// all three see the same background load.

type changesFlags struct {
	dir     string
	keep    bool
	latency time.Duration
	agents  int
	orders  int
	warmup  time.Duration
	window  time.Duration
	rounds  int
	pace    time.Duration
}

func (f *changesFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", "", "parent of the work folder holding the databases (empty: the system temp folder)")
	fs.BoolVar(&f.keep, "keep", false, "keep the work folder afterwards")
	fs.DurationVar(&f.latency, "latency", 50*time.Millisecond, "latency the sandbox adds to every response, like a remote provider")
	fs.IntVar(&f.agents, "agents", 50, "concurrent agents, each changing orders of its own")
	fs.IntVar(&f.orders, "orders", 20, "orders per agent (each order's history grows by one attempt per change)")
	fs.DurationVar(&f.warmup, "warmup", time.Second, "warm-up per phase, not counted")
	fs.DurationVar(&f.window, "window", 30*time.Second, "measured time per operation and mode, split over the rounds")
	fs.IntVar(&f.rounds, "rounds", 3, "rounds of raw / checks off / checks on, alternating")
	fs.DurationVar(&f.pace, "pace", 0, "each agent starts a change every pace (think time); 0: back to back (closed loop)")
}

func changesCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest changes", flag.ContinueOnError)
	var f changesFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return runChanges(ctx, f, out)
}

// changeStack is the pipeline in this process over an in-process sandbox.
type changeStack struct {
	sb     *omsim.Sandbox
	client *omclient.Client
	svc    *orders.Service
	// orders[w] are agent w's orders; next[w] numbers its changes, so
	// every change has an amount of its own on its order (a repeated
	// amount would be a twin the intent check stops).
	orders [][]string
	next   []atomic.Int64
	own    ownTimes // each change's time outside the provider's round trips
	// commits are the audit log's group commits (breakdown.go).
	commits *commitWatch
}

func runChanges(ctx context.Context, f changesFlags, out io.Writer) (err error) {
	if f.agents < 1 || f.orders < 1 || f.rounds < 1 {
		return errors.New("-agents, -orders and -rounds must be at least 1")
	}
	sf := stackFlags{dir: f.dir, keep: f.keep}
	dir, cleanup, err := sf.workDir()
	if err != nil {
		return err
	}
	defer cleanup()
	st, closeStack, err := newChangeStack(ctx, dir, f)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, closeStack()) }()

	pacing := "back to back"
	if f.pace > 0 {
		pacing = "one change per agent every " + f.pace.String()
	}
	fmt.Fprintf(out, "changes: sandbox latency %s, %s, %d agents on %d orders each, %d rounds of warm-up %s + %s measured per operation and mode, sandbox and pipeline in this process; %s\n",
		f.latency, pacing, f.agents, f.orders, f.rounds, f.warmup, f.window/time.Duration(f.rounds), machineLoad())
	st.sb.SetFaults(omsim.Faults{Latency: f.latency})
	defer st.sb.SetFaults(omsim.Faults{})

	type cell struct {
		raw, off, on, ownRaw, ownOff, ownOn phase
		partsOff, partsOn                   []ownSample
	}
	results := map[omclient.Operation]*cell{omclient.OpCreateCapture: {}, omclient.OpCreateRefund: {}}
	window := f.window / time.Duration(f.rounds)
	runPhase := runPhase
	if f.pace > 0 {
		runPhase = func(ctx context.Context, workers int, warmup, window time.Duration, op func(context.Context, int, int) error) phase {
			return runPaced(ctx, workers, warmup, window, f.pace, op)
		}
	}
	// measure runs one phase and also returns its changes' own times.
	measure := func(change func(context.Context, int) error) (phase, phase, []ownSample) {
		from := time.Now().Add(f.warmup)
		p := runPhase(ctx, f.agents, f.warmup, window, func(ctx context.Context, w, _ int) error {
			return st.own.timed(ctx, func(ctx context.Context) error { return change(ctx, w) })
		})
		samples := st.own.take(from)
		own := make([]time.Duration, 0, len(samples))
		for _, s := range samples {
			own = append(own, s.own)
		}
		slices.Sort(own)
		return p, phase{samples: own}, samples
	}
	runStart := time.Now()
	for range f.rounds {
		for _, op := range []omclient.Operation{omclient.OpCreateCapture, omclient.OpCreateRefund} {
			c := results[op]
			raw, ownRaw, _ := measure(func(ctx context.Context, w int) error { return st.raw(ctx, op, w) })
			st.svc.SetIntentWindow(0)
			off, ownOff, partsOff := measure(func(ctx context.Context, w int) error { return st.apply(ctx, op, w) })
			st.svc.SetIntentWindow(orders.DefaultIntentWindow)
			on, ownOn, partsOn := measure(func(ctx context.Context, w int) error { return st.apply(ctx, op, w) })
			c.partsOff, c.partsOn = append(c.partsOff, partsOff...), append(c.partsOn, partsOn...)
			c.raw, c.off, c.on = c.raw.merge(raw), c.off.merge(off), c.on.merge(on)
			c.ownRaw, c.ownOff, c.ownOn = c.ownRaw.merge(ownRaw), c.ownOff.merge(ownOff), c.ownOn.merge(ownOn)
		}
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tpath\tn\terrors\tp50 ms\tp99 ms\tp50 ratio\tp99 ratio\tadded p50 ms\tadded p99 ms\t")
	for _, op := range []omclient.Operation{omclient.OpCreateCapture, omclient.OpCreateRefund} {
		c := results[op]
		for _, row := range []struct {
			name string
			p    phase
		}{{"provider's 3 calls", c.raw}, {"pipeline, checks off", c.off}, {"pipeline, checks on", c.on}} {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%.3f\t%.3f\t%s\t%s\t\n", op, row.name, row.p.count(), row.p.errors,
				ms(row.p.pct(0.5)), ms(row.p.pct(0.99)), ratio(row.p.pct(0.5), c.raw.pct(0.5)), ratio(row.p.pct(0.99), c.raw.pct(0.99)),
				ms(row.p.pct(0.5)-c.raw.pct(0.5)), ms(row.p.pct(0.99)-c.raw.pct(0.99)))
			if row.p.firstErr != nil {
				defer fmt.Fprintf(out, "  first error of %s, %s: %v\n", op, row.name, row.p.firstErr)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(out, "own time: each change's wall time minus its provider round trips (the back office's part, without the provider's jitter)")
	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "operation\tpath\tn\town p50 ms\town p99 ms\town p99.9 ms\town max ms\t")
	for _, op := range []omclient.Operation{omclient.OpCreateCapture, omclient.OpCreateRefund} {
		c := results[op]
		for _, row := range []struct {
			name string
			p    phase
		}{{"provider's 3 calls", c.ownRaw}, {"pipeline, checks off", c.ownOff}, {"pipeline, checks on", c.ownOn}} {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", op, row.name, row.p.count(),
				ms(row.p.pct(0.5)), ms(row.p.pct(0.99)), ms(row.p.pct(0.999)), ms(row.p.pct(1)))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	commits := st.commits.between(runStart, time.Now())
	for _, op := range []omclient.Operation{omclient.OpCreateCapture, omclient.OpCreateRefund} {
		c := results[op]
		for _, m := range []struct {
			name    string
			samples []ownSample
		}{{"checks off", c.partsOff}, {"checks on", c.partsOn}} {
			if err := writeBreakdown(out, fmt.Sprintf("%s, pipeline, %s", op, m.name), m.samples, commits); err != nil {
				return err
			}
		}
	}
	st.commits.mu.Lock()
	ckpts := slices.Clone(st.commits.ckpts)
	syncs := slices.Clone(st.commits.syncs)
	st.commits.mu.Unlock()
	return writeCommits(out, commits, ckpts, syncs)
}

// newChangeStack starts the sandbox with agents*orders fresh orders of
// 10 000,00 EUR, half of each captured (for the refunds), and the pipeline
// with its audit log and index in dir.
func newChangeStack(ctx context.Context, dir string, f changesFlags) (*changeStack, func() error, error) {
	const user, pass = "bench", "bench-secret"
	sb, err := omsim.New(ctx, omsim.Options{Provider: omclient.ProviderKustom, Username: user, Password: pass,
		DBPath: filepath.Join(dir, "sandbox.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = sb.Close()
		return nil, nil, fmt.Errorf("sandbox: %w", err)
	}
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	closers := []func() error{sb.Close, srv.Close}
	closeAll := func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	fail := func(err error) (*changeStack, func() error, error) { return nil, nil, errors.Join(err, closeAll()) }
	client, err := omclient.New(omclient.Config{BaseURL: url, Provider: omclient.ProviderKustom, Env: omclient.EnvSandbox,
		Username: user, Password: pass, Timeout: 30 * time.Second,
		HTTPClient: &http.Client{Transport: timedTransport{&http.Transport{MaxIdleConnsPerHost: 2 * f.agents, IdleConnTimeout: time.Minute}}}})
	if err != nil {
		return fail(err)
	}
	log, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		return fail(err)
	}
	commits := newCommitWatch(filepath.Join(dir, "audit.db"))
	log.SetObserver(commits)
	closers = append(closers, log.Close)
	adm, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, adm.Close)
	ix, err := orders.OpenIndex(ctx, adm)
	if err != nil {
		return fail(err)
	}
	closers = append(closers, ix.Close)
	st := &changeStack{sb: sb, client: client, svc: orders.NewService(client, log, ix, nil), commits: commits,
		orders: make([][]string, f.agents), next: make([]atomic.Int64, f.agents)}
	for w := range f.agents {
		for range f.orders {
			id, err := sb.CreateOrder(ctx, omsim.NewOrder{PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 1000000,
				OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "B-1", Name: "Bench", Quantity: 1, UnitPrice: 1000000,
					TaxRate: 1900, TotalAmount: 1000000, TotalTaxAmount: 159664}}})
			if err != nil {
				return fail(err)
			}
			call, err := client.Prepare(id, "", uuid.NewString(), &omclient.CaptureRequest{CapturedAmount: 500000})
			if err == nil {
				_, err = client.Send(ctx, call)
			}
			if err != nil {
				return fail(fmt.Errorf("capturing half of %s: %w", id, err))
			}
			st.orders[w] = append(st.orders[w], id)
		}
	}
	return st, closeAll, nil
}

// target is agent w's next change: an order of its own and an amount no
// earlier change of that order had (1 cent, 2 cents, ...).
func (s *changeStack) target(w int) (string, int64) {
	k := s.next[w].Add(1) - 1
	ids := s.orders[w]
	return ids[int(k)%len(ids)], k/int64(len(ids)) + 1
}

func body(op omclient.Operation, amount int64) omclient.Request {
	if op == omclient.OpCreateCapture {
		return &omclient.CaptureRequest{CapturedAmount: amount}
	}
	return &omclient.RefundRequest{RefundedAmount: amount}
}

// raw is the provider's own calls of one change: read, change, read.
func (s *changeStack) raw(ctx context.Context, op omclient.Operation, w int) error {
	id, amount := s.target(w)
	if _, err := s.client.GetOrder(ctx, id); err != nil {
		return err
	}
	call, err := s.client.Prepare(id, "", uuid.NewString(), body(op, amount))
	if err != nil {
		return err
	}
	if _, err := s.client.Send(ctx, call); err != nil {
		return err
	}
	_, err = s.client.GetOrder(ctx, id)
	return err
}

var benchAgent = audit.Actor{StaffID: 1, Email: "agent-00@example.com", Role: "agent", ClientIP: "127.0.0.1", UserAgent: "loadtest"}

// apply is one change through the pipeline.
func (s *changeStack) apply(ctx context.Context, op omclient.Operation, w int) error {
	id, amount := s.target(w)
	res, err := s.svc.Apply(ctx, benchAgent, orders.Change{Op: op, OrderID: id, IdempotencyKey: uuid.NewString(),
		Reason: "Customer request", Body: body(op, amount)})
	if err != nil {
		return err
	}
	if res.Outcome != audit.OutcomeSucceeded {
		return fmt.Errorf("%s on %s: outcome %s: %v", op, id, res.Outcome, res.APIErr)
	}
	return nil
}
