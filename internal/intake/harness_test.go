package intake

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// env is the real thing in small: the sandbox over HTTP, the client, the
// order service and index in temp files, with a clock the test moves.
type env struct {
	sb     *omsim.Sandbox
	client *omclient.Client
	svc    *orders.Service
	index  *orders.Index
	admin  *db.DB
	clock  *testClock
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	sb, err := omsim.New(ctx, omsim.Options{Username: "u", Password: "p"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sb.Close() })
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	client, err := omclient.New(omclient.Config{BaseURL: srv.URL, Username: "u", Password: "p", Timeout: 10 * time.Second,
		Retry: omclient.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log, err := audit.Open(ctx, filepath.Join(dir, "audit.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = log.Close() })
	adm, err := db.Open(ctx, filepath.Join(dir, "admin.db"), db.SyncNormal)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = adm.Close() })
	ix, err := orders.OpenIndex(ctx, adm)
	if err != nil {
		t.Fatal(err)
	}
	c := &testClock{t: time.Now().UTC()}
	return &env{sb: sb, client: client, svc: orders.NewService(client, log, ix, c.Now), index: ix, admin: adm, clock: c}
}

func (e *env) store(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), e.admin)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// newOrder creates an AUTHORIZED order in the sandbox (not yet indexed).
func (e *env) newOrder(t *testing.T, ref string) string {
	t.Helper()
	id, err := e.sb.CreateOrder(context.Background(), omsim.NewOrder{
		PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 5000,
		OrderLines: []omclient.OrderLine{
			{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 1, UnitPrice: 5000, TaxRate: 1900, TotalAmount: 5000, TotalTaxAmount: 798},
		},
		BillingAddress:     &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", Email: "erika@example.com", Country: "DE"},
		MerchantReference1: ref,
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) indexed(t *testing.T, id string) (orders.IndexedOrder, bool) {
	t.Helper()
	o, ok, err := e.index.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return o, ok
}

// countingFetcher counts reads per order and can stop the run after n.
type countingFetcher struct {
	f      Fetcher
	mu     sync.Mutex
	reads  map[string]int
	stopAt int
	stop   context.CancelFunc
	total  int
}

func (c *countingFetcher) GetOrder(ctx context.Context, id string) (*omclient.Order, error) {
	c.mu.Lock()
	c.reads[id]++
	c.total++
	if c.stop != nil && c.total > c.stopAt {
		c.stop()
		c.mu.Unlock()
		return nil, ctx.Err()
	}
	c.mu.Unlock()
	return c.f.GetOrder(ctx, id)
}

// search returns the ids the index finds for q.
func (e *env) search(t *testing.T, q string) []string {
	t.Helper()
	page, err := e.index.Search(context.Background(), orders.SearchQuery{Q: q})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range page.Orders {
		ids = append(ids, o.OrderID)
	}
	return ids
}
