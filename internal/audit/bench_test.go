package audit

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkAppend measures group commit: with synchronous=FULL a commit
// costs an fsync, so throughput should grow with the number of concurrent
// writers while events per commit rises.
func BenchmarkAppend(b *testing.B) {
	for _, writers := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			l, _ := openTest(b)
			benchAppend(b, l, writers)
		})
	}
}

// benchAppend appends b.N events from writers goroutines and reports
// events per second and per commit.
func benchAppend(b *testing.B, l *Log, writers int) {
	ctx := context.Background()
	ev := sampleEvent(1)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range writers {
		n := b.N / writers
		if w < b.N%writers {
			n++
		}
		wg.Go(func() {
			for range n {
				if _, err := l.Append(ctx, ev); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	st := l.Stats()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
	if st.Commits > 0 {
		b.ReportMetric(float64(st.Events)/float64(st.Commits), "events/commit")
	}
}
