package db

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkCommitWithCheckpoints is one writer committing rows of about
// four pages with synchronous=FULL, SQLite's automatic checkpoint (run
// inside the commit that crosses 1,000 WAL pages) against the background
// checkpoints: the commits' p50, p99 and max show what the commit that
// runs a checkpoint costs its waiters. Compare the two within one
// invocation (each run has both, one after the other), never across runs.
func BenchmarkCommitWithCheckpoints(b *testing.B) {
	for _, mode := range []struct {
		name string
		o    Options
	}{{"automatic", Options{}}, {"background", Options{BackgroundCheckpoints: true}}} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			d, err := OpenWith(ctx, filepath.Join(b.TempDir(), "a.db"), SyncFull, mode.o)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			if err := d.Migrate(ctx, "bench", []string{`CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)`}); err != nil {
				b.Fatal(err)
			}
			row := make([]byte, 15000)
			var took []time.Duration
			i := 0
			for b.Loop() {
				t0 := time.Now()
				if _, err := d.W.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, i, row); err != nil {
					b.Fatal(err)
				}
				took = append(took, time.Since(t0))
				i++
			}
			slices.Sort(took)
			at := func(q float64) float64 {
				return float64(took[min(len(took)-1, int(q*float64(len(took))))]) / float64(time.Millisecond)
			}
			b.ReportMetric(at(0.5), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(at(1), "max-ms")
		})
	}
}
