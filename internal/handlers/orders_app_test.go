package handlers_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/apptest"
	"ordercare/internal/bulk"
	"ordercare/internal/handlers"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/pipelinetest"
	"ordercare/internal/proctest"
	"ordercare/internal/session"
	"ordercare/internal/shop"
	"ordercare/internal/shop/pair"
	"ordercare/internal/staff"
	"ordercare/web/templates/view"
)

// The order pages are tested end to end: the real sandbox (with its demo
// orders) over HTTP, the real client, index, order service, sessions and
// sign-in, and the echo server from the routes table.

// ordersNow is the fixed "now" of the order-page tests; the sandbox's demo
// orders are generated relative to it.
var ordersNow = time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)

type ordersAppOpts struct {
	provider omclient.Provider
	// wrongPassword builds the client with credentials the sandbox refuses.
	wrongPassword bool
	// omTimeout bounds the provider read of a page (default 5s).
	omTimeout time.Duration
	// wrapSandbox, when set, wraps the sandbox's HTTP handler, so a test
	// can act at the provider at the moment a request arrives (another
	// system capturing just before an agent's cancel).
	wrapSandbox func(http.Handler) http.Handler
	// shop, when set, builds the shop source of the order page from the
	// payment sandbox (order_shop_test.go).
	shop func(testing.TB, *omsim.Sandbox) (shop.Source, time.Duration)
	// bulk, when set, opens bulk jobs with these caps; the test runs
	// them (ordersApp.bulk.RunOnce).
	bulk *bulk.Limits
	// noDemo starts the sandbox empty: the test creates its orders.
	noDemo bool
}

type ordersApp struct {
	t       testing.TB
	srv     *httptest.Server
	sandbox *omsim.Sandbox
	service *orders.Service
	index   *orders.Index
	h       *handlers.Handlers
	clock   *omsim.FakeClock
	staff   map[staff.Role]int64
	logs    *proctest.LockedBuffer
	bulk    *bulk.Service
	// sandboxURL is where the sandbox is served (through wrapSandbox).
	sandboxURL string
}

func newOrdersApp(t testing.TB, o ordersAppOpts) *ordersApp {
	t.Helper()
	ctx := t.Context()
	if o.provider == "" {
		o.provider = omclient.ProviderKustom
	}
	if o.omTimeout == 0 {
		o.omTimeout = 5 * time.Second
	}
	clock := omsim.NewFakeClock(ordersNow)
	po := pipelinetest.Options{Provider: o.provider, Clock: clock, Demo: !o.noDemo, Now: clock.Now}
	if o.wrapSandbox != nil {
		po.Wrap = func(sb *omsim.Sandbox) http.Handler { return o.wrapSandbox(sb) }
	}
	if o.wrongPassword {
		po.ClientPassword = "wrong"
	}
	env := pipelinetest.New(t, po)
	sb, svc, ix := env.Sandbox, env.Orders, env.Index
	// Staff share the fake clock: sign-in times and session validity must
	// agree with the handlers' clock.
	st := withStaff(t, env.Admin, env.Log, clock.Now)
	logs := &proctest.LockedBuffer{}
	h := &handlers.Handlers{
		Log:       slog.New(slog.NewTextHandler(logs, nil)),
		Env:       view.EnvBanner{Label: "Built-in sandbox", Kind: view.EnvSandbox},
		Sessions:  session.NewManager(st.sessions, false),
		Staff:     st.staff,
		Orders:    svc,
		Index:     ix,
		Audit:     st.audit,
		Now:       clock.Now,
		Provider:  o.provider,
		DB:        st.db,
		OMTimeout: o.omTimeout,
	}
	if o.shop != nil {
		h.Shop, h.ShopTimeout = o.shop(t, sb)
		h.ShopChanges = svc
		if ch, ok := h.Shop.(shop.Changer); ok { // as the app wires it
			svc.SetShop(pair.Halves{Changer: ch})
		}
		if u, ok := h.Shop.(*shop.Ucommerce); ok { // as the app wires it
			h.ShopConnect = u.Client
		}
	}
	a := &ordersApp{t: t, sandbox: sb, service: svc, index: ix, h: h, clock: clock, staff: st.addMembers(t), logs: logs, sandboxURL: env.URL}
	if o.bulk != nil {
		bs, err := bulk.Open(ctx, st.db, st.audit, svc, bulk.Options{Limits: *o.bulk, Rate: 1000, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		a.bulk, h.Bulk = bs, bs
	}
	e, err := h.Echo()
	if err != nil {
		t.Fatal(err)
	}
	a.srv = httptest.NewServer(e)
	t.Cleanup(a.srv.Close)

	// In sandbox mode the index starts with every demo order.
	if !o.wrongPassword {
		ids, err := sb.OrderIDs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, err := svc.GetOrder(ctx, id); err != nil {
				t.Fatalf("seeding the index with %s: %v", id, err)
			}
		}
	}
	return a
}

// demoOrder returns a sandbox order matching pred.
func (a *ordersApp) demoOrder(pred func(*omclient.Order) bool) *omclient.Order {
	a.t.Helper()
	return apptest.OrderWhere(a.t, a.sandbox, "as the test needs", pred)
}

// agent is a member's browser (apptest's) on the app.
type agent struct {
	*apptest.Browser
	a *ordersApp
}

// answer is one answer to a request: apptest's Page under the names the
// package's tests have always read (r.resp, r.body, r.doc), so that they
// need not change with it.
type answer struct {
	resp *http.Response
	body string
	doc  *goquery.Document
}

func answerOf(p apptest.Page) answer { return answer{resp: p.Resp, body: p.Body, doc: p.Doc} }

// signedIn is a browser signed in as the member of role, through the
// sign-in form.
func (a *ordersApp) signedIn(role staff.Role) *agent {
	a.t.Helper()
	ag := a.anonymous()
	if err := ag.SignIn(apptest.Email(role), testPassword); err != nil {
		a.t.Fatal(err)
	}
	return ag
}

// anonymous is a signed-out browser.
func (a *ordersApp) anonymous() *agent {
	return &agent{Browser: apptest.NewBrowser(a.srv.URL, 0), a: a}
}

// get requests path; hdr adds headers (e.g. HX-Request).
func (ag *agent) get(path string, hdr http.Header) answer {
	ag.a.t.Helper()
	return answerOf(ag.MustDo(ag.a.t, http.MethodGet, path, nil, hdr))
}

func (ag *agent) htmx(path string, trigger string) answer {
	hdr := http.Header{"Hx-Request": {"true"}, "Hx-Current-Url": {ag.a.srv.URL + "/orders"}}
	if trigger != "" {
		hdr.Set("Hx-Trigger", trigger)
	}
	return ag.get(path, hdr)
}

func (r answer) testid(id string) *goquery.Selection {
	return r.doc.Find(`[data-testid="` + id + `"]`)
}

// resultIDs lists the order ids of the result rows, in order.
func (r answer) resultIDs() []string {
	var ids []string
	r.testid("result").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-order-id", "")) })
	return ids
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
