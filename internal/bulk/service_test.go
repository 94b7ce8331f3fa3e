package bulk

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"ordercare/internal/approvals"
	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
)

var (
	agent = audit.Actor{StaffID: 3, Email: "agent@example.com", Role: "agent"}
	super = audit.Actor{StaffID: 4, Email: "super@example.com", Role: "supervisor"}
)

// refuser answers 403 NOT_ALLOWED, as the provider does, to every change
// of the orders in it, without passing them to the sandbox.
type refuser struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (r *refuser) wrap(sb *omsim.Sandbox) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		refuse := false
		for id := range r.ids {
			if req.Method == http.MethodPost && strings.Contains(req.URL.Path, id) {
				refuse = true
			}
		}
		r.mu.Unlock()
		if !refuse {
			sb.ServeHTTP(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprint(w, `{"error_code":"NOT_ALLOWED","error_messages":["Capture not allowed for this order"],"correlation_id":"c-refused"}`)
	})
}

type env struct {
	pe  *pipelinetest.Env
	svc *Service
	ref *refuser
	be  dbtest.Backend
	// db holds the jobs (and approval requests) on the backend; the
	// pipeline's own tables stay in its SQLite file.
	db *db.DB
}

func newEnv(t *testing.T, be dbtest.Backend, p *approvals.Policy) *env {
	t.Helper()
	ref := &refuser{ids: map[string]bool{}}
	pe := pipelinetest.New(t, pipelinetest.Options{Wrap: ref.wrap, Retry: omclient.RetryPolicy{MaxAttempts: 1}})
	e := &env{pe: pe, ref: ref, be: be}
	e.svc = e.open(t, p)
	return e
}

// open opens a Service over the env's databases, connecting to the
// backend again: a second call is the process after a restart.
func (e *env) open(t *testing.T, p *approvals.Policy) *Service {
	t.Helper()
	ctx := context.Background()
	d := e.be.Open(t)
	if e.db == nil {
		e.db = d
	}
	o := Options{Rate: 1000}
	if p != nil {
		ap, err := approvals.Open(ctx, d, e.pe.Log, e.pe.Orders, *p, nil)
		if err != nil {
			t.Fatal(err)
		}
		e.pe.Orders.SetGuard(ap.Guard)
		o.Approvals = ap
	}
	svc, err := Open(ctx, d, e.pe.Log, e.pe.Orders, o)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// orders creates n authorized orders of amount EUR and returns their items.
func (e *env) orders(t *testing.T, n int, amount int64) []Item {
	t.Helper()
	out := make([]Item, 0, n)
	for range n {
		id, err := e.pe.Sandbox.CreateOrder(context.Background(), omsim.NewOrder{
			PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: amount,
			OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Coat", Quantity: 1, UnitPrice: amount,
				TaxRate: 1900, TotalAmount: amount, TotalTaxAmount: amount * 19 / 119}},
		})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, Item{OrderID: id, Currency: "EUR", Amount: amount})
	}
	return out
}

// drain runs the job's items until none is pending.
func drain(t *testing.T, svc *Service) {
	t.Helper()
	for {
		did, err := svc.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			return
		}
	}
}

func (e *env) applied(t *testing.T, id string) int {
	t.Helper()
	n, err := e.pe.Sandbox.Applied(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (e *env) start(t *testing.T, op omclient.Operation, by audit.Actor, items []Item) Job {
	t.Helper()
	j := Job{ID: uuid.NewString(), Op: op, Reason: "Shipped in the evening run", Ticket: "T-9", By: by}
	if err := e.svc.Start(context.Background(), j, items); err != nil {
		t.Fatal(err)
	}
	return j
}

func byOrder(items []Item) map[string]Item {
	m := map[string]Item{}
	for _, it := range items {
		m[it.OrderID] = it
	}
	return m
}

// A full capture of 200 orders where the provider refuses some, loses
// the answer of others and fails for more, and some cannot be captured
// at all: every order ends with exactly one outcome, and each sent
// change was applied exactly once.
func TestAJobOf200OrdersEndsWithOneOutcomeEach(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		e := newEnv(t, be, nil)
		ctx := context.Background()
		items := e.orders(t, 200, 4990)
		refusedByProvider, cancelled, lost, failed := items[0:10], items[10:20], items[20:30], items[30:40]
		for _, it := range refusedByProvider {
			e.ref.ids[it.OrderID] = true
		}
		for _, it := range cancelled {
			// Cancelled in the provider's portal, past ordercare.
			call, err := e.pe.Client.Prepare(it.OrderID, "", uuid.NewString(), omclient.CancelRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.pe.Client.Send(ctx, call); err != nil {
				t.Fatal(err)
			}
		}
		var rules []omsim.FaultRule
		for _, it := range lost {
			rules = append(rules, omsim.FaultRule{Method: http.MethodPost, PathContains: it.OrderID + "/captures", Kind: omsim.FaultResetAfterApply})
		}
		for _, it := range failed {
			rules = append(rules, omsim.FaultRule{Method: http.MethodPost, PathContains: it.OrderID + "/captures", Kind: omsim.Fault500})
		}
		e.pe.Sandbox.SetFaults(omsim.Faults{Rules: rules})

		j := e.start(t, omclient.OpCreateCapture, super, items)
		drain(t, e.svc)

		got, list, err := e.svc.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Finished() {
			t.Error("the job is not finished after every order was run")
		}
		p := Count(list)
		if p.Total != 200 || p.Sent != 160 || p.Refused != 20 || p.Unknown != 20 || p.Pending+p.InFlight+p.Held != 0 {
			t.Fatalf("progress = %+v; want 160 sent, 20 refused, 20 unknown", p)
		}
		m := byOrder(list)
		for _, it := range refusedByProvider {
			if r := m[it.OrderID]; r.State != StateRefused || !strings.Contains(r.Message, "NOT_ALLOWED") || r.AttemptID == "" {
				t.Errorf("refused by the provider: %+v", r)
			}
		}
		for _, it := range cancelled {
			if r := m[it.OrderID]; r.State != StateRefused || !strings.Contains(r.Message, "cancelled") || r.AttemptID != "" {
				t.Errorf("cancelled order: %+v; want refused before sending, with the reason", r)
			}
		}
		for _, it := range append(append([]Item{}, lost...), failed...) {
			if r := m[it.OrderID]; r.State != StateUnknown || r.AttemptID == "" {
				t.Errorf("lost answer: %+v; want unknown", r)
			}
		}
		for _, it := range items[40:] {
			if n := e.applied(t, it.OrderID); n != 1 || m[it.OrderID].State != StateSent {
				t.Fatalf("order %s: applied %d times, state %s; want once, sent", it.OrderID, n, m[it.OrderID].State)
			}
			o, _ := e.pe.Sandbox.Order(ctx, it.OrderID)
			if o.Status != omclient.StatusCaptured || o.CapturedAmount != 4990 {
				t.Fatalf("order %s after the job: %s, captured %d", it.OrderID, o.Status, o.CapturedAmount)
			}
		}
		for _, it := range lost {
			if n := e.applied(t, it.OrderID); n != 1 {
				t.Errorf("lost answer on %s: applied %d times; want once", it.OrderID, n)
			}
		}
		// Every attempt is in the audit log with the job's reason, ticket and id.
		as, err := e.pe.Log.OrderAttempts(ctx, items[50].OrderID)
		if err != nil || len(as) != 1 {
			t.Fatalf("attempts of a captured order: %d, %v", len(as), err)
		}
		if r := as[0].Requested; r.Reason != j.Reason || r.Ticket != "T-9" || r.Detail["bulk_job"] != j.ID || r.Actor.Email != super.Email {
			t.Errorf("requested event: %+v", r)
		}
	})
}

// A cancellation the four-eyes policy holds becomes an approval request
// per order, nothing sent; orders under the threshold are cancelled.
func TestHeldOrdersBecomeApprovalRequests(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		e := newEnv(t, be, &approvals.Policy{Thresholds: map[string]int64{"EUR": 10000}})
		ctx := context.Background()
		small, big := e.orders(t, 2, 5000), e.orders(t, 2, 20000)
		j := e.start(t, omclient.OpCancel, agent, append(append([]Item{}, small...), big...))
		drain(t, e.svc)
		_, list, err := e.svc.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		m := byOrder(list)
		for _, it := range small {
			if r := m[it.OrderID]; r.State != StateSent || e.applied(t, it.OrderID) != 1 {
				t.Errorf("small order: %+v", r)
			}
		}
		for _, it := range big {
			r := m[it.OrderID]
			if r.State != StateHeld || r.ApprovalID == "" || e.applied(t, it.OrderID) != 0 {
				t.Fatalf("big order: %+v, applied %d; want held, nothing sent", r, e.applied(t, it.OrderID))
			}
			req, err := e.svc.approvals.(*approvals.Service).ByKey(ctx, r.Key())
			if err != nil || req.ID != r.ApprovalID || req.Status != approvals.StatusPending || req.RequestedBy.Email != agent.Email {
				t.Errorf("approval request: %+v, %v", req, err)
			}
		}
	})
}

// kill -9 in the middle of a job: the items done stay done, the pending
// ones are sent after the restart, and the one in flight at the stop is
// settled from the audit log: never sent twice.
func TestARestartResumesTheJobWithoutRepeats(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		e := newEnv(t, be, nil)
		ctx := context.Background()
		items := e.orders(t, 6, 2500)
		j := e.start(t, omclient.OpExtendAuthorizationTime, agent, items)
		for range 2 {
			if _, err := e.svc.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		_, list, _ := e.svc.Job(ctx, j.ID)
		// The process dies after sending the third order's change and before
		// recording it in the job (its attempt is on record), and while the
		// fourth is taken but not yet sent.
		third, fourth := list[2], list[3]
		if _, err := e.pe.Orders.Apply(ctx, agent, orders.Change{Op: j.Op, OrderID: third.OrderID, IdempotencyKey: third.Key(),
			Reason: j.Reason, Ticket: j.Ticket, Detail: map[string]string{"bulk_job": j.ID}}); err != nil {
			t.Fatal(err)
		}
		for _, it := range []Item{third, fourth} {
			it.State = StateInFlight
			if ok, err := setState(ctx, e.db, it, StatePending, time.Now()); !ok || err != nil {
				t.Fatal(ok, err)
			}
		}

		restarted := e.open(t, nil)
		if err := restarted.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		drain(t, restarted)
		got, list, err := restarted.Job(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p := Count(list); p.Sent != 6 || !got.Finished() {
			t.Fatalf("after the restart: %+v, finished %v; want all 6 sent", p, got.Finished())
		}
		for _, it := range list {
			if n := e.applied(t, it.OrderID); n != 1 {
				t.Errorf("order %d applied %d times; want once", it.Seq, n)
			}
			as, _ := e.pe.Log.OrderAttempts(ctx, it.OrderID)
			if len(as) != 1 {
				t.Errorf("order %d has %d attempts; want one", it.Seq, len(as))
			}
		}
	})
}

func TestLimits(t *testing.T) {
	l := Limits{AgentMaxOrders: 3, MaxOrders: 5, AgentMaxAmounts: map[string]int64{"EUR": 10000}}
	items := func(n int, amount int64) []Item {
		out := make([]Item, n)
		for i := range out {
			out[i] = Item{OrderID: fmt.Sprint(i), Currency: "EUR", Amount: amount}
		}
		return out
	}
	for _, c := range []struct {
		role  string
		items []Item
		want  string
	}{
		{"agent", items(3, 100), ""},
		{"agent", items(4, 100), "a supervisor must start it"},
		{"agent", items(2, 6000), "at most 100.00 EUR"},
		{"supervisor", items(5, 6000), ""},
		{"admin", items(6, 1), "at most 5 orders"},
		{"agent", nil, "no orders"},
	} {
		got := l.Check(c.role, c.items)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s, %d orders: %q; want %q", c.role, len(c.items), got, c.want)
		}
	}
}

// Progress counts the orders of the jobs still running by where they
// stand, for the operators' bulk-job gauge; a finished job leaves it.
func TestProgressCountsTheRunningJobsOrders(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		e := newEnv(t, be, nil)
		ctx := context.Background()
		items := e.orders(t, 3, 4990)
		e.start(t, omclient.OpCreateCapture, super, items)
		got, err := e.svc.Progress(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got[StatePending] != 3 || len(got) != 1 {
			t.Fatalf("a started job of three: %v, want 3 pending", got)
		}
		if did, err := e.svc.RunOnce(ctx); err != nil || !did {
			t.Fatalf("one order run: %v %v", did, err)
		}
		if got, err = e.svc.Progress(ctx); err != nil || got[StatePending] != 2 || got[StateSent] != 1 {
			t.Fatalf("after one order: %v %v, want 2 pending, 1 sent", got, err)
		}
		drain(t, e.svc)
		if got, err = e.svc.Progress(ctx); err != nil || len(got) != 0 {
			t.Fatalf("after the job finished: %v %v, want nothing", got, err)
		}
	})
}
