package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/shop"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/staff"
)

// shopApp is the order pages with the Elastic Path sandbox as the shop,
// holding the shop side of the demo orders.
// timeout bounds the shop read of a page: long where the shop must answer
// (a loaded machine under -race), short where it must be given up on.
// with, if any, adjust the other options (bulk caps).
func shopApp(t *testing.T, secret string, timeout time.Duration, with ...func(*ordersAppOpts)) (*ordersApp, *epsim.Sandbox) {
	t.Helper()
	var shopSB *epsim.Sandbox
	opts := ordersAppOpts{shop: func(t testing.TB, pay *omsim.Sandbox) (shop.Source, time.Duration) {
		sb, err := epsim.New(epsim.Options{ClientID: "shop-id", ClientSecret: "shop-secret"})
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pay.OrderIDs(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var all []omclient.Order
		for _, id := range ids {
			o, err := pay.Order(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, *o)
		}
		if err := sb.Seed(all); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(sb)
		t.Cleanup(srv.Close)
		c, err := ep.New(ep.Config{BaseURL: srv.URL, ClientID: "shop-id", ClientSecret: secret, BaseDelay: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		shopSB = sb
		return &shop.ElasticPath{Client: c, Links: shop.Links{IDField: "merchant_reference2", NumberField: "merchant_reference1"}}, timeout
	}}
	for _, f := range with {
		f(&opts)
	}
	a := newOrdersApp(t, opts)
	return a, shopSB
}

// Each out-of-step demo order warns at the top, says what to do and
// offers the payment action that settles it.
func TestOrderPageShopWarnings(t *testing.T) {
	t.Parallel()
	a, sb := shopApp(t, "shop-secret", 30*time.Second)
	ag := a.signedIn(staff.RoleAgent)
	oos := sb.OutOfStep()
	for _, tc := range []struct {
		sc     epsim.Scenario
		kind   string
		action string
		words  string
	}{
		{epsim.CancelledStillAuthorized, "cancelled-authorized", "/cancel", "Cancelled in the shop"},
		{epsim.FulfilledNotCaptured, "fulfilled-not-captured", "/capture", "capture now or the money is lost"},
		{epsim.TotalsDiffer, "totals", "", "The totals differ"},
		{epsim.AddressDiffers, "address", "", "The shipping addresses differ"},
	} {
		id := oos[tc.sc]
		r := ag.get("/orders/"+id, nil)
		if r.resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.sc, r.resp.StatusCode)
		}
		w := r.doc.Find(`[data-testid="shop-warning"][data-kind="` + tc.kind + `"]`)
		if w.Length() != 1 || !strings.Contains(w.Text(), tc.words) {
			t.Errorf("%s: warning %q, want kind %s saying %q", tc.sc, r.doc.Find(`[data-testid="shop-warnings"]`).Text(), tc.kind, tc.words)
		}
		href, _ := w.Find(`[data-testid="shop-warning-action"]`).Attr("href")
		if tc.action != "" && !strings.HasSuffix(href, tc.action) {
			t.Errorf("%s: action %q, want …%s", tc.sc, href, tc.action)
		}
		o, _ := a.sandbox.Order(t.Context(), id)
		if got := strings.TrimSpace(r.doc.Find(`[data-testid="shop-number"]`).Text()); got != string(o.MerchantReference1) {
			t.Errorf("%s: shop order number %q, want %q", tc.sc, got, o.MerchantReference1)
		}
	}
	// An order in step shows the panel without warnings.
	o := a.demoOrder(func(o *omclient.Order) bool {
		return o.Status == omclient.StatusCaptured
	})
	r := ag.get("/orders/"+o.OrderID, nil)
	if r.doc.Find(`[data-testid="shop-warnings"]`).Length() != 0 || r.doc.Find(`[data-testid="shop-line"]`).Length() == 0 ||
		strings.TrimSpace(r.doc.Find(`[data-testid="shop-shipping"]`).Text()) != "Fulfilled" {
		t.Errorf("captured order in step: warnings %q, panel %q", r.doc.Find(`[data-testid="shop-warnings"]`).Text(), r.doc.Find(`[data-testid="order-shop"]`).Text())
	}
}

// A shop that is down, slow, refuses the credentials or does not know
// the order never blocks the payment order: the page shows it and the
// panel says what is wrong.
func TestOrderPageShopFailures(t *testing.T) {
	t.Parallel()
	a, sb := shopApp(t, "shop-secret", time.Second)
	ag := a.signedIn(staff.RoleAgent)
	id := sb.OutOfStep()[epsim.CancelledStillAuthorized]
	check := func(name, kind string) {
		t.Helper()
		r := ag.get("/orders/"+id, nil)
		if r.resp.StatusCode != http.StatusOK || r.doc.Find(`[data-testid="order-amounts"]`).Length() != 1 {
			t.Fatalf("%s: the payment order is not shown (status %d)", name, r.resp.StatusCode)
		}
		if got, _ := r.doc.Find(`[data-testid="shop-problem"]`).Attr("data-kind"); got != kind {
			t.Errorf("%s: panel problem %q (%s), want %q", name, got, r.doc.Find(`[data-testid="order-shop"]`).Text(), kind)
		}
		if r.doc.Find(`[data-testid="shop-warnings"]`).Length() != 0 {
			t.Errorf("%s: warnings shown without a shop order", name)
		}
	}
	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Kind: epsim.Fault503}}})
	check("shop down", "unreachable")
	sb.SetFaults(epsim.Faults{Latency: 3 * time.Second}) // past the page's 1 s
	check("shop slow", "slow")
	sb.SetFaults(epsim.Faults{})

	created, err := a.sandbox.CreateOrder(t.Context(), omsim.NewOrder{PurchaseCountry: "SE", PurchaseCurrency: "SEK", Locale: "sv-SE",
		OrderAmount: 10000, MerchantReference1: "SO-NOPE", OrderLines: []omclient.OrderLine{{Type: "physical", Name: "Mug", Quantity: 1,
			UnitPrice: 10000, TotalAmount: 10000}}})
	if err != nil {
		t.Fatal(err)
	}
	id = created
	check("no twin", "not-found")

	b, _ := shopApp(t, "wrong-secret", 30*time.Second)
	ag = b.signedIn(staff.RoleAgent)
	a = b
	id = a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusAuthorized }).OrderID
	check("credentials refused", "refused-token")
}

// Cancelling in the shop from the panel is an audited attempt filed under
// the payment order; a missing reason sends nothing; a lost answer is said
// as such, and sending again reads the shop first, finds the cancel made,
// and sends nothing more: one change.
func TestOrderPageShopCancel(t *testing.T) {
	t.Parallel()
	a, sb := shopApp(t, "shop-secret", 30*time.Second)
	ag := a.signedIn(staff.RoleAgent)
	id := sb.OutOfStep()[epsim.TotalsDiffer]
	shopID := epsim.ShopID(id)
	page := ag.get("/orders/"+id, nil)
	if page.doc.Find(`[data-testid="shop-change"][data-kind="cancel"] select[name="reason"]`).Length() != 1 {
		t.Fatalf("no cancel form in the shop panel: %s", page.doc.Find(`[data-testid="order-shop"]`).Text())
	}
	post := func(reason string) answer {
		form := url.Values{"_csrf": {ag.csrfToken()}, "reason": {reason}}
		return ag.send(http.MethodPost, "/orders/"+id+"/shop/cancel", strings.NewReader(form.Encode()), nil)
	}

	r := post("")
	if got := strings.TrimSpace(r.doc.Find(`[data-testid="shop-change"][data-kind="cancel"] [data-testid="shop-change-error"]`).Text()); got != "Choose why you are making this change" {
		t.Fatalf("missing reason: message %q (status %d)", got, r.resp.StatusCode)
	}
	if o, _ := sb.Order(shopID); o.Status == ep.StatusCancelled {
		t.Fatal("cancelled in the shop without a reason")
	}

	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.FaultResetAfterApply, Times: 1}}})
	post("customer_request")
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); !strings.Contains(msg, "answer was lost") {
		t.Errorf("lost answer: flash %q", msg)
	}
	post("customer_request")
	after := ag.get("/orders/"+id, nil)
	if msg := after.testid("flash").Text(); !strings.Contains(msg, "already cancelled in the shop") {
		t.Errorf("resend: flash %q", msg)
	}
	if got := strings.TrimSpace(after.doc.Find(`[data-testid="shop-status"]`).Text()); got != "Cancelled" {
		t.Errorf("shop status after cancel %q", got)
	}
	as, err := a.h.Audit.OrderAttempts(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, at := range as {
		if at.Requested.Action == "shop_cancel" && at.Requested.Detail["system"] == "shop" && at.Requested.Reason == "Customer request" {
			outcomes = append(outcomes, string(at.Outcome()))
		}
	}
	if strings.Join(outcomes, ",") != "unknown" {
		t.Errorf("audited shop attempts: %v, want the one whose answer was lost", outcomes)
	}

	// Marking fulfilled needs a paid order: refused before sending here.
	r = func() answer {
		form := url.Values{"_csrf": {ag.csrfToken()}, "reason": {"customer_request"}}
		return ag.send(http.MethodPost, "/orders/"+id+"/shop/fulfil", strings.NewReader(form.Encode()), nil)
	}()
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); !strings.Contains(msg, "Nothing was sent") {
		t.Errorf("fulfil of a cancelled shop order: flash %q", msg)
	}
}

// The auditor reads the same warnings with what to do, but is offered no
// payment action to click (each would answer "Not allowed").
func TestOrderPageShopWarningsOfferTheAuditorNoAction(t *testing.T) {
	t.Parallel()
	a, sb := shopApp(t, "shop-secret", 30*time.Second)
	id := sb.OutOfStep()[epsim.CancelledStillAuthorized]
	aud := a.signedIn(staff.RoleAuditor).get("/orders/"+id, nil)
	w := aud.doc.Find(`[data-testid="shop-warning"][data-kind="cancelled-authorized"]`)
	if w.Length() != 1 || !strings.Contains(w.Text(), "Cancelled in the shop") {
		t.Fatalf("the auditor's warning %q", aud.doc.Find(`[data-testid="shop-warnings"]`).Text())
	}
	if n := w.Find(`a, button, [hx-get]`).Length(); n != 0 {
		t.Errorf("the auditor is offered %d actions in the shop warning: %q", n, w.Text())
	}
	if href := a.signedIn(staff.RoleAgent).get("/orders/"+id, nil).doc.Find(`[data-testid="shop-warning-action"]`).AttrOr("href", ""); !strings.HasSuffix(href, "/cancel") {
		t.Errorf("the agent's warning offers %q, want the cancel form", href)
	}
}
