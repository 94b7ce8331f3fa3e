package handlers_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"ordercare/internal/approvals"
	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
)

// The four-eyes tests run the money-form app (the real sandbox
// over HTTP, the pipeline, the audit log) with an approvals service over
// the same admin.db and audit log, a policy in EUR, and a clock of its own
// that a test moves past the requests' time to live without touching the
// sandbox's or the sessions' clock.

// approvalThreshold: refunds above 500.00 EUR, and cancels of orders
// above it, need a second person.
const approvalThreshold = 50000

// secondSupervisor is a second supervisor account, for races.
const secondSupervisor = staff.Role("supervisor2")

type approvalsApp struct {
	*moneyApp
	approvals *approvals.Service
	// offset moves the approvals' clock (nanoseconds past ordersNow).
	offset atomic.Int64
	// sent counts the back office's requests that change an order at the
	// sandbox (anything but GET).
	sent atomic.Int64
	// unreachable makes that many approved changes fail before anything
	// is sent, as when the provider cannot be read first.
	unreachable atomic.Int32
}

// Apply is the approvals' pipeline: the real one, unless unreachable.
func (a *approvalsApp) Apply(ctx context.Context, actor audit.Actor, ch orders.Change) (orders.Result, error) {
	if a.unreachable.Add(-1) >= 0 {
		return orders.Result{}, errors.New("test: the provider could not be read before sending")
	}
	return a.service.Apply(ctx, actor, ch)
}

func newApprovalsApp(t *testing.T, p approvals.Policy) *approvalsApp {
	t.Helper()
	m := newMoneyApp(t, "")
	a := &approvalsApp{moneyApp: m}
	count := func(r *http.Request) {
		if r.Method != http.MethodGet {
			a.sent.Add(1)
		}
	}
	m.hook.Store(&count)
	if _, err := m.h.Staff.Add(t.Context(), apptest.Email(secondSupervisor), staff.RoleSupervisor, testPassword); err != nil {
		t.Fatal(err)
	}
	svc, err := approvals.Open(t.Context(), m.h.DB.(*db.DB), m.h.Audit.(*audit.Log), a, p, a.now)
	if err != nil {
		t.Fatal(err)
	}
	a.approvals = svc
	// The same handlers with the service, served by a server of their own.
	h := *m.h
	h.Approvals = svc
	e, err := h.Echo()
	if err != nil {
		t.Fatal(err)
	}
	m.srv = httptest.NewServer(e)
	t.Cleanup(m.srv.Close)
	m.h = &h
	return a
}

func (a *approvalsApp) now() time.Time { return ordersNow.Add(time.Duration(a.offset.Load())) }

// thresholdPolicy is the policy of most tests.
func thresholdPolicy() approvals.Policy {
	return approvals.Policy{Thresholds: map[string]int64{"EUR": approvalThreshold}, TTL: 72 * time.Hour}
}

// bigOrder is a German order of one television at 1 000,00 €, captured in
// full when captured is true.
func (a *approvalsApp) bigOrder(captured bool) string {
	a.t.Helper()
	s := orderSpec{country: "DE", currency: "EUR", locale: "de-DE", lines: []omclient.OrderLine{physical("TV-1", "Television", 1, 100000, 0, 1900)}}
	if captured {
		id, _ := a.capturedOrder(s)
		return id
	}
	return a.createOrder(s)
}

// refund posts the refund form of the order for a typed amount ("600,00").
func (a *approvalsApp) refund(ag *agent, orderID, amount string, hdr http.Header) answer {
	a.t.Helper()
	path := formPath(orderID, "refund")
	return ag.post(path, ag.fill(path, map[string]string{"mode": "amount", "refunded_amount": amount, "ticket": "HD-42"}), hdr)
}

// requests are the order's approval requests, oldest first.
func (a *approvalsApp) requests(orderID string) []approvals.Request {
	a.t.Helper()
	rs, err := a.approvals.List(a.t.Context(), approvals.ListFilter{OrderID: orderID, OldestFirst: true})
	if err != nil {
		a.t.Fatal(err)
	}
	return rs
}

// onlyRequest is the order's one request; the test fails when there is
// not exactly one.
func (a *approvalsApp) onlyRequest(orderID string) approvals.Request {
	a.t.Helper()
	rs := a.requests(orderID)
	if len(rs) != 1 {
		a.t.Fatalf("order %s has %d approval requests, want 1", orderID, len(rs))
	}
	return rs[0]
}

// request reads one request as it is now.
func (a *approvalsApp) request(id string) approvals.Request {
	a.t.Helper()
	r, err := a.approvals.Get(a.t.Context(), id)
	if err != nil {
		a.t.Fatal(err)
	}
	return r
}

// newHeldRefund is the usual start: an app with the threshold policy and
// a captured order of 1 000,00 € whose agent's refund of 600,00 € waits
// for approval.
func newHeldRefund(t *testing.T) (*approvalsApp, string, approvals.Request) {
	t.Helper()
	a := newApprovalsApp(t, thresholdPolicy())
	id := a.bigOrder(true)
	a.refund(a.signedIn(staff.RoleAgent), id, "600,00", nil)
	return a, id, a.onlyRequest(id)
}

// decide posts a decision ("approve", "reject", "withdraw", "resend") on
// request id with comment, with the CSRF token of the member's session.
func (ag *agent) decide(id, action, comment string, extra url.Values) answer {
	ag.a.t.Helper()
	v := url.Values{"_csrf": {ag.Token(ag.a.t, "/approvals")}, "comment": {comment}}
	for k, x := range extra {
		v[k] = x
	}
	return ag.post("/approvals/"+id+"/"+action, v, nil)
}

// follow loads the page a 303 points to.
func (ag *agent) follow(r answer) answer {
	ag.a.t.Helper()
	if r.resp.StatusCode != http.StatusSeeOther {
		ag.a.t.Fatalf("status %d, want 303: %s", r.resp.StatusCode, text(r.doc.Find("main")))
	}
	return ag.get(r.resp.Header.Get("Location"), nil)
}

// text is a selection's text with its white space collapsed.
func text(s interface{ Text() string }) string { return strings.Join(strings.Fields(s.Text()), " ") }

// GetOrder and CheckIntent give the approvals the pipeline's intent rule,
// as the app's orders.Service does.
func (a *approvalsApp) GetOrder(ctx context.Context, id string) (*omclient.Order, error) {
	return a.service.GetOrder(ctx, id)
}

func (a *approvalsApp) CheckIntent(ctx context.Context, o *omclient.Order, ch orders.Change) error {
	return a.service.CheckIntent(ctx, o, ch)
}
