package intake

import (
	"context"
	"sync"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
)

// env is the real thing in small: the sandbox over HTTP, the client, the
// order service and index in temp files, with a clock the test moves.
type env struct {
	sb     *omsim.Sandbox
	client *omclient.Client
	svc    *orders.Service
	index  *orders.Index
	admin  *db.DB
	// intakeDB, when set, holds the intake's own tables (newEnvOn).
	intakeDB *db.DB
	clock    *omsim.FakeClock
}

// newEnvOn is newEnv with the queue's and the imports' tables on backend
// be (dbtest.Each); the order index stays in the pipeline's SQLite file.
func newEnvOn(t *testing.T, be dbtest.Backend) *env {
	t.Helper()
	e := newEnv(t)
	e.intakeDB = be.Open(t)
	return e
}

func newEnv(t *testing.T) *env {
	t.Helper()
	c := omsim.NewFakeClock(time.Now().UTC())
	pe := pipelinetest.New(t, pipelinetest.Options{Now: c.Now})
	return &env{sb: pe.Sandbox, client: pe.Client, svc: pe.Orders, index: pe.Index, admin: pe.Admin, clock: c}
}

func (e *env) store(t *testing.T) *Store {
	t.Helper()
	d := e.admin
	if e.intakeDB != nil {
		d = e.intakeDB
	}
	st, err := Open(context.Background(), d)
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
