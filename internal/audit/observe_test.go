package audit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// countingObserver records what an Observer is told.
type countingObserver struct {
	mu                     sync.Mutex
	appends, appendErrs    int
	commits, commitEvents  int
	commitErrs             int
	negativeOrZeroDuration bool
}

func (o *countingObserver) Appended(wait time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.appends++
	if err != nil {
		o.appendErrs++
	}
	o.negativeOrZeroDuration = o.negativeOrZeroDuration || wait <= 0
}

func (o *countingObserver) Committed(events int, took time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		o.commitErrs++
		return
	}
	o.commits++
	o.commitEvents += events
}

// The observer hears of every append and of every commit with its batch
// size: the events of all commits add up to the appends.
func TestObserverSeesAppendsAndCommits(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, _ := openOn(t, be, Options{})
		o := &countingObserver{}
		l.SetObserver(o)
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Go(func() {
				if _, err := l.Append(context.Background(), sampleEvent(i)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		o.mu.Lock()
		defer o.mu.Unlock()
		st := l.Stats()
		if o.appends != 30 || o.appendErrs != 0 || o.commitEvents != 30 || int64(o.commits) != st.Commits || o.negativeOrZeroDuration {
			t.Fatalf("observer heard %+v; log stats %+v", o, st)
		}
	})
}

// Writable holds while the log is open (and appends no event), and fails
// once it is closed.
func TestWritable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		l, path := openOn(t, be, Options{})
		ctx := context.Background()
		if err := l.Writable(ctx); err != nil {
			t.Fatalf("open log: %v", err)
		}
		if n, _, err := l.Head(ctx); err != nil || n != 0 {
			t.Fatalf("the check appended: head %d, %v", n, err)
		}
		// Another process (another instance) holds the write lock: the check
		// fails within its deadline instead of waiting out the 10 s busy
		// timeout.
		otherDB, err := openEvents(ctx, path, be.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer otherDB.Close()
		other, err := otherDB.W.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		if err := l.Writable(short); err == nil {
			t.Fatal("writable while another process holds the write lock")
		}
		if err := other.Rollback(); err != nil {
			t.Fatal(err)
		}
		if err := l.Writable(ctx); err != nil {
			t.Fatalf("after the lock was given back: %v", err)
		}
		l.Close()
		if err := l.Writable(ctx); !errors.Is(err, ErrClosed) {
			t.Fatalf("closed log: %v, want ErrClosed", err)
		}
	})
}
