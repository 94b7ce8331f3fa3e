package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
)

const secret = "0123456789abcdef-test-secret"

var agent = audit.Actor{StaffID: 3, Email: "agent@example.com", Role: "agent", ClientIP: "192.0.2.7", UserAgent: "test"}

// receiver is the merchant's endpoint: it verifies every signature with
// the standard library alone, refuses the first `fail` tries with 503, and
// records the events it accepted.
type receiver struct {
	t     *testing.T
	now   func() time.Time
	fail  int
	mu    sync.Mutex
	tries int
	got   []Event
	bad   int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.tries++
	if err := Verify([]byte(secret), r.Header.Get(SignatureHeader), body, rc.now(), DefaultTolerance); err != nil {
		rc.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	if rc.tries <= rc.fail {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID != r.Header.Get(EventIDHeader) {
		rc.t.Errorf("event body %s: %v", body, err)
	}
	rc.got = append(rc.got, ev)
	w.WriteHeader(http.StatusNoContent)
}

type env struct {
	svc   *orders.Service
	sb    *omsim.Sandbox
	log   *audit.Log
	admin *db.DB
	clock *omsim.FakeClock
	rc    *receiver
	url   string
}

// newEnv builds the env with the outbox's tables on backend be
// (dbtest.Each): the pipeline's own tables stay in its SQLite file.
func newEnv(t *testing.T, be dbtest.Backend, fail int) *env {
	t.Helper()
	c := omsim.NewFakeClock(time.Now().UTC())
	pe := pipelinetest.New(t, pipelinetest.Options{Now: c.Now})
	rc := &receiver{t: t, now: c.Now, fail: fail}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return &env{svc: pe.Orders, sb: pe.Sandbox, log: pe.Log, admin: be.Open(t), clock: c, rc: rc, url: srv.URL}
}

func (e *env) open(t *testing.T) *Outbox {
	t.Helper()
	o, err := Open(context.Background(), e.admin, e.log, Options{URL: e.url, Secret: secret, Now: e.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// cancel cancels a new order through the pipeline and returns its id.
func (e *env) cancel(t *testing.T) string {
	t.Helper()
	id, err := e.sb.CreateOrder(context.Background(), omsim.NewOrder{
		PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 5000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 1, UnitPrice: 5000,
			TaxRate: 1900, TotalAmount: 5000, TotalTaxAmount: 798}},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.svc.Apply(context.Background(), agent, orders.Change{Op: omclient.OpCancel, OrderID: id,
		IdempotencyKey: uuid.NewString(), Reason: "customer asked", Ticket: "T-17"})
	if err != nil || res.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("cancel: %+v %v", res, err)
	}
	return id
}

// One change, a receiver that is down for the first three tries: the
// event arrives once, signed, with the change's details; after a restart
// nothing is sent again.
func TestDeliveryRetriesThenAcceptsOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testDeliveryRetriesThenAcceptsOnce)
}

func testDeliveryRetriesThenAcceptsOnce(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, 3)
	ctx := context.Background()
	ob := e.open(t)
	if _, err := ob.Reconcile(ctx); err != nil { // first start: notes the head
		t.Fatal(err)
	}
	e.svc.OnCompleted(func(ctx context.Context, c audit.Event) {
		if err := ob.Record(ctx, c); err != nil {
			t.Error(err)
		}
	})
	id := e.cancel(t)

	for try := 1; try <= 3; try++ {
		n, err := ob.DeliverDue(ctx)
		if err != nil || n != 0 {
			t.Fatalf("try %d: delivered %d, %v", try, n, err)
		}
		if n, _ := ob.DeliverDue(ctx); n != 0 || e.rc.tries != try {
			t.Fatalf("retried before the backoff: tries %d", e.rc.tries)
		}
		list, _ := ob.List(ctx, ViewPending, 10)
		if len(list) != 1 || !list[0].Failing() || list[0].LastStatus != 503 || list[0].LastError == "" {
			t.Fatalf("after try %d: %+v", try, list)
		}
		e.clock.Advance(ob.backoff(try))
	}
	if n, err := ob.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("fourth try: delivered %d, %v", n, err)
	}
	if e.rc.bad != 0 || len(e.rc.got) != 1 {
		t.Fatalf("receiver: %d bad signatures, %d events", e.rc.bad, len(e.rc.got))
	}
	ev := e.rc.got[0]
	if ev.OrderID != id || ev.Action != "cancel" || ev.Outcome != "succeeded" || ev.StaffEmail != agent.Email ||
		ev.Reason != "customer asked" || ev.Ticket != "T-17" || ev.Before["status"] != "AUTHORIZED" ||
		ev.After["status"] != "CANCELLED" || ev.ProviderCorrelationID == "" || ev.Type != EventType || ev.AuditSeq == 0 {
		t.Fatalf("event: %+v", ev)
	}
	c, _ := ob.Counts(ctx)
	if c != (Counts{Delivered: 1}) {
		t.Fatalf("counts: %+v", c)
	}

	// Restart: a new Outbox over the same files reconciles and delivers.
	ob2 := e.open(t)
	if n, err := ob2.Reconcile(ctx); err != nil || n != 0 {
		t.Fatalf("reconcile after restart added %d, %v", n, err)
	}
	e.clock.Advance(48 * time.Hour)
	if n, err := ob2.DeliverDue(ctx); err != nil || n != 0 || len(e.rc.got) != 1 {
		t.Fatalf("after restart: delivered %d (receiver has %d), %v", n, len(e.rc.got), err)
	}
}

// The process stops after the audit commit, before the outbox row: the
// start-up reconcile finds the completed event and it is delivered.
func TestReconcileRecoversMissedEvents(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testReconcileRecoversMissedEvents)
}

func testReconcileRecoversMissedEvents(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, 0)
	ctx := context.Background()
	ob := e.open(t)
	if _, err := ob.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	id := e.cancel(t) // no hook: as if the process died right after the commit
	ob2 := e.open(t)
	if n, err := ob2.Reconcile(ctx); err != nil || n != 1 {
		t.Fatalf("reconcile added %d, %v", n, err)
	}
	if n, err := ob2.Reconcile(ctx); err != nil || n != 0 {
		t.Fatalf("second reconcile added %d, %v", n, err)
	}
	if n, err := ob2.DeliverDue(ctx); err != nil || n != 1 || e.rc.got[0].OrderID != id {
		t.Fatalf("delivered %d, %v", n, err)
	}
}

// A receiver that never accepts: after the window the row is failed, an
// admin's retry makes it due again, and it is delivered once it accepts.
func TestGiveUpAndRetry(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testGiveUpAndRetry)
}

func testGiveUpAndRetry(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, 1000)
	ctx := context.Background()
	ob := e.open(t)
	_, _ = ob.Reconcile(ctx)
	e.svc.OnCompleted(func(ctx context.Context, c audit.Event) { _ = ob.Record(ctx, c) })
	e.cancel(t)
	for i := 0; i < 100; i++ {
		if _, err := ob.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if c, _ := ob.Counts(ctx); c.Failed == 1 {
			break
		}
		e.clock.Advance(DefaultMaxDelay)
	}
	failed, _ := ob.List(ctx, ViewFailed, 10)
	if len(failed) != 1 || failed[0].Attempts < 5 {
		t.Fatalf("not given up after 24 hours: %+v", failed)
	}
	if got := failed[0].GiveUpAt.Sub(failed[0].CreatedAt); got != DefaultWindow {
		t.Fatalf("window %v", got)
	}
	e.rc.mu.Lock()
	e.rc.fail = 0
	e.rc.mu.Unlock()
	if err := ob.Retry(ctx, failed[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, err := ob.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("after retry: %d %v", n, err)
	}
	if err := ob.Retry(ctx, failed[0].ID); !errors.Is(err, ErrNotRetryable) {
		t.Fatalf("retry of a delivered event: %v", err)
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"x"}`)
	good := Sign([]byte(secret), now, body)
	cases := []struct {
		name   string
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		{"good", good, body, now, nil},
		{"within tolerance", good, body, now.Add(4 * time.Minute), nil},
		{"replayed later", good, body, now.Add(6 * time.Minute), ErrStale},
		{"body changed", good, []byte(`{"id":"y"}`), now, ErrBadSignature},
		{"other secret", Sign([]byte("another-secret-0000"), now, body), body, now, ErrBadSignature},
		{"no header", "", body, now, ErrBadSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if err := Verify([]byte(secret), tc.header, tc.body, tc.at, DefaultTolerance); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

// TestTwoInstancesDeliverEachEventOnce: two instances deliver from one
// outbox at the same time; every event reaches the receiver exactly once.
func TestTwoInstancesDeliverEachEventOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testTwoInstancesDeliverEachEventOnce)
}

func testTwoInstancesDeliverEachEventOnce(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, 0)
	ctx := context.Background()
	one, other := e.open(t), e.open(t)
	other.db = be.Open(t) // its own connections, as another instance has
	if _, err := one.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	const n = 12
	for range n {
		e.cancel(t)
	}
	if added, err := one.Reconcile(ctx); err != nil || added != n {
		t.Fatalf("reconcile added %d, %v", added, err)
	}
	var wg sync.WaitGroup
	sent := make([]int, 2)
	for i, ob := range []*Outbox{one, other} {
		wg.Go(func() {
			k, err := ob.DeliverDue(ctx)
			if err != nil {
				t.Error(err)
			}
			sent[i] = k
		})
	}
	wg.Wait()
	e.rc.mu.Lock()
	defer e.rc.mu.Unlock()
	seen := map[string]int{}
	for _, ev := range e.rc.got {
		seen[ev.ID]++
	}
	if len(e.rc.got) != n || len(seen) != n || sent[0]+sent[1] != n {
		t.Fatalf("receiver got %d events (%d distinct), instances report %v; want %d once each", len(e.rc.got), len(seen), sent, n)
	}
}
