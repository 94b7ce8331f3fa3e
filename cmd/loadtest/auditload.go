package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"ordercare/internal/audit"
)

type auditFlags struct {
	dir         string
	keep        bool
	writers     string
	window      time.Duration
	fsyncWindow time.Duration
}

func (f *auditFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.dir, "dir", "", "parent of the work folder holding audit.db (empty: the system temp folder); put it on the disk you ship on")
	fs.BoolVar(&f.keep, "keep", false, "keep the work folder afterwards")
	fs.StringVar(&f.writers, "writers", "1,10,50", "comma-separated numbers of concurrent writers")
	fs.DurationVar(&f.window, "window", 5*time.Second, "measured time per writer count")
	fs.DurationVar(&f.fsyncWindow, "fsync-window", 3*time.Second, "time of each disk sync loop")
}

func auditCmd(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadtest audit", flag.ContinueOnError)
	var f auditFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return runAudit(ctx, f, out)
}

// auditRow is one writer count's result.
type auditRow struct {
	writers         int
	events, commits int64
	elapsed         time.Duration
	// indexed is how long the search index took, after the last append
	// returned, to cover every event (it is kept after the commits).
	indexed time.Duration
}

func (r auditRow) perSecond() float64 { return float64(r.events) / r.elapsed.Seconds() }

// runAudit measures Append with the shipped durability (audit.Open:
// synchronous=FULL) beside the disk's own sync rate in the same folder,
// which bounds one event per commit.
func runAudit(ctx context.Context, f auditFlags, out io.Writer) error {
	counts, err := parseCounts(f.writers)
	if err != nil {
		return err
	}
	sf := stackFlags{dir: f.dir, keep: f.keep}
	dir, cleanup, err := sf.workDir()
	if err != nil {
		return err
	}
	defer cleanup()

	before, err := syncRate(dir, f.fsyncWindow)
	if err != nil {
		return err
	}
	var rows []auditRow
	for _, n := range counts {
		r, err := appendLoad(ctx, filepath.Join(dir, fmt.Sprintf("audit-%d.db", n)), n, f.window)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	after, err := syncRate(dir, f.fsyncWindow)
	if err != nil {
		return err
	}

	fmt.Fprintf(out, "audit append: synchronous=FULL, work folder %s, %s per writer count; %s\n", dir, f.window, machineLoad())
	fmt.Fprintf(out, "  disk, 64-byte write + fsync loop in the same folder: %.0f/s before, %.0f/s after (fdatasync: %.0f/s, %.0f/s)\n",
		before.fsync, after.fsync, before.fdatasync, after.fdatasync)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "writers\tevents\tcommits\tevents/s\tevents/commit\tx 1-writer\tindex caught up after\t")
	base := 0.0
	for _, r := range rows {
		if r.writers == 1 || base == 0 {
			base = r.perSecond()
		}
		perCommit := 0.0
		if r.commits > 0 {
			perCommit = float64(r.events) / float64(r.commits)
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%.0f\t%.1f\t%.1f\t%s\t\n", r.writers, r.events, r.commits, r.perSecond(), perCommit, r.perSecond()/base,
			r.indexed.Round(time.Millisecond))
	}
	return tw.Flush()
}

// appendLoad runs writers goroutines appending distinct requested events
// to a fresh log for window.
func appendLoad(ctx context.Context, path string, writers int, window time.Duration) (auditRow, error) {
	l, err := audit.Open(ctx, path)
	if err != nil {
		return auditRow{}, err
	}
	var events atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(window)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for k := 0; time.Now().Before(deadline) && ctx.Err() == nil; k++ {
				if _, err := l.Append(ctx, sampleEvent(w, k)); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				events.Add(1)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	st := l.Stats()
	indexStart := time.Now()
	err = l.SyncIndex(ctx)
	indexed := time.Since(indexStart)
	if err := errors.Join(firstErr, err, l.Close()); err != nil {
		return auditRow{}, err
	}
	return auditRow{writers: writers, events: events.Load(), commits: st.Commits, elapsed: elapsed, indexed: indexed}, nil
}

// sampleEvent is a realistic "requested" event: a capture with its request
// body and before-values, its attempt id and idempotency key minted as the
// back office mints them (audit.NewID).
func sampleEvent(w, _ int) audit.Event {
	return audit.Event{
		Kind: audit.KindRequested, AttemptID: audit.NewID(),
		Actor:   audit.Actor{StaffID: int64(w + 1), Email: agentEmail(w), Role: "agent", ClientIP: "127.0.0.1", UserAgent: "loadtest"},
		OrderID: "0b1d9815-165e-42e2-8867-35bc03789e00", Action: "create_capture", Reason: "customer asked for the capture",
		Ticket: "T-1234", IdempotencyKey: audit.NewID(),
		Request: json.RawMessage(`{"captured_amount":10000,"description":"Shipped in full"}`),
		Before:  map[string]string{"captured_amount": "0.00 EUR", "status": "AUTHORIZED"},
	}
}

// syncRates are the disk's small-write sync rates per second.
type syncRates struct{ fsync, fdatasync float64 }

// syncRate appends 64 bytes and syncs, in a loop, in dir: the physical
// limit of one durable commit after another.
func syncRate(dir string, window time.Duration) (syncRates, error) {
	path := filepath.Join(dir, "fsync-probe")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600) // #nosec G304 -- a fixed name in the work folder this program made (under the operator's -dir)
	if err != nil {
		return syncRates{}, err
	}
	defer func() { _ = f.Close(); _ = os.Remove(path) }()
	buf := make([]byte, 64)
	loop := func(sync func() error) (float64, error) {
		n := 0
		start := time.Now()
		for time.Since(start) < window {
			if _, err := f.Write(buf); err != nil {
				return 0, err
			}
			if err := sync(); err != nil {
				return 0, err
			}
			n++
		}
		return float64(n) / time.Since(start).Seconds(), nil
	}
	var r syncRates
	if r.fsync, err = loop(f.Sync); err != nil {
		return r, fmt.Errorf("fsync loop: %w", err)
	}
	if r.fdatasync, err = loop(func() error { return syscall.Fdatasync(int(f.Fd())) }); err != nil {
		return r, fmt.Errorf("fdatasync loop: %w", err)
	}
	return r, nil
}
