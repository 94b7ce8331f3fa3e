package intake

import (
	"context"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db/dbtest"
)

// Pushed ids are indexed by the worker; a duplicate push keeps one row; an
// id the provider does not know is retried with backoff and then marked
// failed with the reason, without holding up the others.
func TestQueueIndexesPushedOrders(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testQueueIndexesPushedOrders)
}

func testQueueIndexesPushedOrders(t *testing.T, be dbtest.Backend) {
	e := newEnvOn(t, be)
	ctx := context.Background()
	q := NewQueue(e.store(t), e.svc, QueueOptions{Rate: 1000, Now: e.clock.Now})
	q.MaxAttempts = 3
	a, b := e.newOrder(t, "PUSH-A"), e.newOrder(t, "PUSH-B")
	unknown := "0b9e7a40-2222-4c2e-9f0e-6c1f2a3b4c5d"

	n, err := q.Enqueue(ctx, []string{a, b, a, unknown}, "test")
	if err != nil || n != 3 {
		t.Fatalf("enqueue: %d %v", n, err)
	}
	if _, err := q.Enqueue(ctx, []string{b}, "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(ctx, []string{"not-an-id"}, "test"); err == nil {
		t.Fatal("a malformed id was queued")
	}
	indexed, err := q.Work(ctx)
	if err != nil || indexed != 2 {
		t.Fatalf("work: indexed %d, %v", indexed, err)
	}
	for _, id := range []string{a, b} {
		if _, ok := e.indexed(t, id); !ok {
			t.Errorf("pushed order %s not indexed", id)
		}
	}
	items, err := q.Items(ctx)
	if err != nil || len(items) != 1 || items[0].OrderID != unknown || items[0].State != "pending" || items[0].Attempts != 1 {
		t.Fatalf("queue after the first pass: %+v %v", items, err)
	}
	// Not due yet: nothing is read.
	if n, _ := q.Work(ctx); n != 0 {
		t.Fatalf("an id was read before its retry was due")
	}
	for range 2 {
		e.clock.Advance(time.Hour)
		if _, err := q.Work(ctx); err != nil {
			t.Fatal(err)
		}
	}
	items, _ = q.Items(ctx)
	if len(items) != 1 || items[0].State != "failed" || items[0].Attempts != 3 || items[0].LastError == "" {
		t.Fatalf("unknown id after the retries: %+v", items)
	}
	// A later push of the same id tries again from scratch.
	if _, err := q.Enqueue(ctx, []string{unknown}, "test"); err != nil {
		t.Fatal(err)
	}
	if items, _ = q.Items(ctx); items[0].State != "pending" || items[0].Attempts != 0 {
		t.Fatalf("re-pushed id: %+v", items)
	}
}

// TestTwoInstancesReadEachPushedOrderOnce: two instances work one queue at
// the same time; every pushed order is read once and indexed.
func TestTwoInstancesReadEachPushedOrderOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testTwoInstancesReadEachPushedOrderOnce)
}

func testTwoInstancesReadEachPushedOrderOnce(t *testing.T, be dbtest.Backend) {
	e := newEnvOn(t, be)
	ctx := context.Background()
	f := &countingFetcher{f: e.svc, reads: map[string]int{}}
	one := NewQueue(e.store(t), f, QueueOptions{Rate: 1000, Now: e.clock.Now})
	e.intakeDB = be.Open(t) // the other instance's own connections
	other := NewQueue(e.store(t), f, QueueOptions{Rate: 1000, Now: e.clock.Now})
	var ids []string
	for i := range 10 {
		ids = append(ids, e.newOrder(t, "PUSH-"+string(rune('A'+i))))
	}
	if _, err := one.Enqueue(ctx, ids, "test"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	got := make([]int, 2)
	for i, q := range []*Queue{one, other} {
		wg.Go(func() {
			n, err := q.Work(ctx)
			if err != nil {
				t.Error(err)
			}
			got[i] = n
		})
	}
	wg.Wait()
	for _, id := range ids {
		if f.reads[id] != 1 {
			t.Errorf("order %s read %d times, want once", id, f.reads[id])
		}
		if _, ok := e.indexed(t, id); !ok {
			t.Errorf("pushed order %s not indexed", id)
		}
	}
	if got[0]+got[1] != len(ids) {
		t.Fatalf("instances indexed %v, want %d in all", got, len(ids))
	}
}
