package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"text/tabwriter"
	"time"

	"ordercare/internal/db"
)

// The breakdown of a change's own time: the own time of each phase of
// Apply (orders.Trace), and the audit log's group commits the appends
// waited for, with those during which the database file itself was
// written. In WAL mode only a checkpoint writes the database file
// (sqlite.org/wal.html): a commit after which the file changed is one
// that ran the automatic checkpoint in the committing connection, or
// that overlapped a checkpoint run elsewhere.

// commitWatch is the audit log's observer during a run: every commit,
// and whether the database file was written meanwhile.
type commitWatch struct {
	file string // audit.db

	mu      sync.Mutex
	last    time.Time // the file's modification time at the last commit
	commits []commitSample
	// ckpts are the checkpoints the log ran behind its writer.
	ckpts []db.Checkpoint
	// syncs are how long each sync of the commits to disk took.
	syncs []time.Duration
}

type commitSample struct {
	span
	events int
	// wrote: audit.db was written since the previous commit ended.
	wrote bool
}

func newCommitWatch(file string) *commitWatch {
	w := &commitWatch{file: file}
	w.last = w.modTime()
	return w
}

func (w *commitWatch) modTime() time.Time {
	fi, err := os.Stat(w.file)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

func (w *commitWatch) Appended(time.Duration, error) {}

// WALCheckpointed hears of the checkpoints run behind the writer
// (audit.WALObserver).
func (w *commitWatch) WALCheckpointed(cp db.Checkpoint) {
	w.mu.Lock()
	w.ckpts = append(w.ckpts, cp)
	w.mu.Unlock()
}

// Synced hears of the syncs to disk behind the commits (audit.SyncObserver).
func (w *commitWatch) Synced(took time.Duration, err error) {
	if err != nil {
		return
	}
	w.mu.Lock()
	w.syncs = append(w.syncs, took)
	w.mu.Unlock()
}

func (w *commitWatch) Committed(events int, took time.Duration, err error) {
	if err != nil {
		return
	}
	end := time.Now()
	mt := w.modTime()
	w.mu.Lock()
	defer w.mu.Unlock()
	wrote := !mt.Equal(w.last)
	w.last = mt
	w.commits = append(w.commits, commitSample{span{end.Add(-took), end}, events, wrote})
}

// between returns the commits that ended within [from, to).
func (w *commitWatch) between(from, to time.Time) []commitSample {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []commitSample
	for _, c := range w.commits {
		if !c.to.Before(from) && c.to.Before(to) {
			out = append(out, c)
		}
	}
	return out
}

// pctOf is the q-quantile of ds (sorted in place).
func pctOf(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[rankIndex(q, len(ds))]
}

// writeBreakdown reports, for one operation and mode, each part's p50
// and p99 over the changes and its mean over the slowest 1% of them (by
// own time): where the tail's milliseconds are.
func writeBreakdown(out io.Writer, title string, samples []ownSample, commits []commitSample) error {
	var traced []ownSample
	for _, s := range samples {
		if s.traced {
			traced = append(traced, s)
		}
	}
	if len(traced) == 0 {
		return nil
	}
	slices.SortFunc(traced, func(a, b ownSample) int { return int(a.own - b.own) })
	tail := traced[rankIndex(0.99, len(traced)):]
	fmt.Fprintf(out, "%s: %d changes, own p50 %s ms, p99 %s ms; parts of the own time (provider round trips left out):\n",
		title, len(traced), ms(traced[rankIndex(0.5, len(traced))].own), ms(traced[rankIndex(0.99, len(traced))].own))
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "part\tp50 ms\tp99 ms\tmax ms\tmean in slowest 1% ms\t")
	for i := range numParts {
		var all []time.Duration
		for _, s := range traced {
			all = append(all, s.parts[i])
		}
		var sum time.Duration
		for _, s := range tail {
			sum += s.parts[i]
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", partName(i), ms(pctOf(all, 0.5)), ms(pctOf(all, 0.99)), ms(pctOf(all, 1)),
			ms(sum/time.Duration(len(tail))))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	// The changes whose appends waited for a commit during which
	// audit.db was written, against the others.
	var hit, clean []time.Duration
	for _, s := range traced {
		waited := false
		for _, c := range commits {
			if !c.wrote {
				continue
			}
			for _, a := range s.appends {
				if c.from.Before(a.to) && a.from.Before(c.to) {
					waited = true
				}
			}
		}
		if waited {
			hit = append(hit, s.own)
		} else {
			clean = append(clean, s.own)
		}
	}
	_, err := fmt.Fprintf(out, "  changes whose append overlapped a commit that wrote audit.db: %d (own p50 %s / p99 %s / max %s ms); the others: %d (p50 %s / p99 %s / max %s ms)\n",
		len(hit), ms(pctOf(hit, 0.5)), ms(pctOf(hit, 0.99)), ms(pctOf(hit, 1)), len(clean), ms(pctOf(clean, 0.5)), ms(pctOf(clean, 0.99)), ms(pctOf(clean, 1)))
	return err
}

// writeCommits reports the audit log's group commits of the run, and the
// syncs and checkpoints run behind them.
func writeCommits(out io.Writer, commits []commitSample, ckpts []db.Checkpoint, syncs []time.Duration) error {
	if len(syncs) > 0 {
		fmt.Fprintf(out, "audit syncs to disk behind the writer: %d, took p50 %s / p99 %s / max %s ms\n",
			len(syncs), ms(pctOf(syncs, 0.5)), ms(pctOf(syncs, 0.99)), ms(pctOf(syncs, 1)))
	}
	if len(ckpts) > 0 {
		var took []time.Duration
		modes := map[string]int{}
		copied, errs := 0, 0
		for _, c := range ckpts {
			took = append(took, c.Took)
			modes[c.Mode]++
			if c.Err != nil {
				errs++
			} else if c.Copied == c.Frames {
				copied++
			}
		}
		fmt.Fprintf(out, "audit WAL checkpoints behind the writer: %d (PASSIVE %d, RESTART %d, errors %d), %d of them copied the whole WAL; took p50 %s / p99 %s / max %s ms\n",
			len(ckpts), modes["PASSIVE"], modes["RESTART"], errs, copied, ms(pctOf(took, 0.5)), ms(pctOf(took, 0.99)), ms(pctOf(took, 1)))
	}
	if len(commits) == 0 {
		return nil
	}
	var all, wrote, other []time.Duration
	events := 0
	for _, c := range commits {
		d := c.to.Sub(c.from)
		all = append(all, d)
		events += c.events
		if c.wrote {
			wrote = append(wrote, d)
		} else {
			other = append(other, d)
		}
	}
	_, err := fmt.Fprintf(out, "audit commits: %d (%.1f events each), p50 %s / p99 %s / max %s ms; %d of them while audit.db was written (a checkpoint): p50 %s / max %s ms; the others p99 %s / max %s ms\n",
		len(all), float64(events)/float64(len(all)), ms(pctOf(all, 0.5)), ms(pctOf(all, 0.99)), ms(pctOf(all, 1)),
		len(wrote), ms(pctOf(wrote, 0.5)), ms(pctOf(wrote, 1)), ms(pctOf(other, 0.99)), ms(pctOf(other, 1)))
	return err
}
