package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ordercare/internal/db"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/shop"
	uc "ordercare/internal/shop/ucommerce"
	"ordercare/internal/shop/ucommerce/ucsim"
	"ordercare/internal/staff"
)

// ucApp is the order pages with the Ucommerce sandbox as the shop (served
// over HTTP, holding the shop side of the demo orders) and the refresh
// token sealed in its own admin database. mode: "none" (never connected),
// "connected", or "reused" (connected, refreshed once, then the old
// refresh token put back, as a restored backup of the database would).
func ucApp(t *testing.T, mode string) (*ordersApp, *ucsim.Sandbox, *uc.SQLStore) {
	t.Helper()
	var sb *ucsim.Sandbox
	var store *uc.SQLStore
	a := newOrdersApp(t, ordersAppOpts{shop: func(t testing.TB, pay *omsim.Sandbox) (shop.Source, time.Duration) {
		var err error
		if sb, err = ucsim.New(ucsim.Options{ClientID: "uc-id", ClientSecret: "uc-secret"}); err != nil {
			t.Fatal(err)
		}
		ids, _ := pay.OrderIDs(t.Context())
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
		hs := httptest.NewServer(sb)
		t.Cleanup(hs.Close)
		srv := hs.URL
		d, err := db.Open(t.Context(), filepath.Join(t.TempDir(), "tokens.db"), db.SyncNormal)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = d.Close() })
		if store, err = uc.NewSQLStore(t.Context(), d, []byte("0123456789abcdef0123456789abcdef")); err != nil {
			t.Fatal(err)
		}
		newClient := func(now func() time.Time) *uc.Client {
			c, err := uc.New(uc.Config{BaseURL: srv, ClientID: "uc-id", ClientSecret: "uc-secret", Store: store, BaseDelay: time.Millisecond, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := newClient(nil)
		if mode != "none" {
			const redirect = "http://127.0.0.1/shop/connect/callback"
			code, err := sb.Connect(redirect)
			if err == nil {
				err = c.Exchange(t.Context(), code, redirect)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		if mode == "reused" {
			old, exp, _ := store.Load(t.Context())
			later := newClient(func() time.Time { return time.Now().Add(10 * time.Minute) }) // its access token has expired
			if _, err := later.GetOrder(t.Context(), "any"); !uc.IsNotFound(err) {
				t.Fatalf("refreshing: %v", err)
			}
			if err := store.Save(t.Context(), old, exp); err != nil {
				t.Fatal(err)
			}
			c = newClient(nil) // no access token cached: the page refreshes
		}
		return &shop.Ucommerce{Client: c, Links: shop.Links{IDField: "merchant_reference2", NumberField: "merchant_reference1"}}, 30 * time.Second
	}})
	return a, sb, store
}

// The order page shows the Ucommerce twin beside the payment order, warns
// where they disagree, and says changes are made in the shop: the
// platform's API only reads, so the panel offers no change forms.
func TestOrderPageShopUcommerce(t *testing.T) {
	t.Parallel()
	a, sb, _ := ucApp(t, "connected")
	ag := a.signedIn(staff.RoleAgent)
	oos := sb.OutOfStep()
	kinds := map[ucsim.Scenario]string{
		"cancelled-still-authorized": "cancelled-authorized", "fulfilled-not-captured": "fulfilled-not-captured",
		"totals-differ": "totals", "address-differs": "address",
	}
	// Only demo orders holding the shop's order id in merchant_reference2
	// have a Ucommerce twin, so the demo may lack a case; the cancelled
	// and the shipped ones are always there.
	if oos["cancelled-still-authorized"] == "" || oos["fulfilled-not-captured"] == "" {
		t.Fatalf("out-of-step demo orders: %v", oos)
	}
	for sc, id := range oos {
		kind := kinds[sc]
		r := ag.get("/orders/"+id, nil)
		if r.resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", sc, r.resp.StatusCode)
		}
		if r.doc.Find(`[data-testid="shop-warning"][data-kind="`+kind+`"]`).Length() != 1 {
			t.Errorf("%s: warnings %q, want kind %s", sc, r.testid("shop-warnings").Text(), kind)
		}
		o, _ := a.sandbox.Order(t.Context(), id)
		if got := strings.TrimSpace(r.testid("shop-number").Text()); got != string(o.MerchantReference1) {
			t.Errorf("%s: shop order number %q, want %q", sc, got, o.MerchantReference1)
		}
		if !strings.Contains(r.testid("order-shop").Text(), "In the shop (Ucommerce)") || r.testid("shop-read-only").Length() != 1 ||
			r.testid("shop-change").Length() != 0 {
			t.Errorf("%s: panel %q: want Ucommerce, the read-only note and no change forms", sc, r.testid("order-shop").Text())
		}
	}
	// No change can be posted either.
	tok := ag.get("/orders/"+oos["cancelled-still-authorized"], nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	if r := ag.post("/orders/"+oos["cancelled-still-authorized"]+"/shop/cancel", url.Values{"_csrf": {tok}, "reason": {"customer_request"}}, nil); r.resp.StatusCode != http.StatusNotFound {
		t.Errorf("shop cancel on a read-only platform: status %d, want 404", r.resp.StatusCode)
	}
}

// A reused refresh token (a restored backup of the database, a second
// instance) is refused by the platform: the order page still shows the
// payment order, the panel says the shop is unreachable, and admins get
// the link to reconnect it (agents are told an admin must).
func TestOrderPageShopUcommerceReconnect(t *testing.T) {
	t.Parallel()
	a, _, store := ucApp(t, "reused")
	id := a.demoOrder(func(o *omclient.Order) bool { return o.MerchantReference2 != "" }).OrderID
	for role, link := range map[staff.Role]bool{staff.RoleAdmin: true, staff.RoleAgent: false} {
		r := a.signedIn(role).get("/orders/"+id, nil)
		if r.resp.StatusCode != http.StatusOK || r.testid("order-amounts").Length() != 1 {
			t.Fatalf("%s: the payment order is not shown (status %d)", role, r.resp.StatusCode)
		}
		p := r.testid("shop-problem")
		if kind, _ := p.Attr("data-kind"); kind != "not-connected" || !strings.Contains(p.Text(), "unreachable") {
			t.Errorf("%s: panel %q (%s), want not-connected saying unreachable", role, kind, p.Text())
		}
		if got := r.testid("shop-reconnect").Length() == 1; got != link {
			t.Errorf("%s: reconnect link shown %v, want %v", role, got, link)
		}
	}
	if _, _, err := store.Load(t.Context()); err == nil {
		t.Error("the refused refresh token is still stored")
	}
}

// Connecting the shop through the pages: the admin's POST (with CSRF)
// goes to the platform's connect URL with a state, the platform sends the
// browser back with a code and that state, and the callback stores the
// tokens. A callback with another state is refused and connects nothing;
// agents cannot reach the page.
func TestShopConnectFlow(t *testing.T) {
	t.Parallel()
	a, _, _ := ucApp(t, "none")
	admin := a.signedIn(staff.RoleAdmin)
	page := admin.get("/shop/connect", nil)
	if got, _ := page.testid("shop-connect-status").Attr("data-connected"); got != "false" ||
		!strings.Contains(page.testid("shop-connect-status").Text(), "reconnect the shop") {
		t.Fatalf("before: status %q %q", got, page.testid("shop-connect-status").Text())
	}
	tok := page.doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	if r := admin.post("/shop/connect", url.Values{}, nil); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST without CSRF: status %d, want 403", r.resp.StatusCode)
	}
	// platform follows the admin to the platform and back: the callback URL
	// the platform redirects to, with code and state.
	platform := func() *url.URL {
		r := admin.post("/shop/connect", url.Values{"_csrf": {tok}}, nil)
		if r.resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /shop/connect: status %d", r.resp.StatusCode)
		}
		to, _ := url.Parse(r.resp.Header.Get("Location"))
		if to.Path != "/api/v1/oauth/connect" || to.Query().Get("state") == "" || to.Query().Get("response_type") != "code" {
			t.Fatalf("sent to %s", to)
		}
		resp, err := admin.Client.Get(to.String())
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		back, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || back.Path != "/shop/connect/callback" {
			t.Fatalf("platform answered %d to %s", resp.StatusCode, back)
		}
		return back
	}
	// A forged or stale answer: another state.
	back := platform()
	q := back.Query()
	q.Set("state", "forged")
	r := admin.get("/shop/connect/callback?"+q.Encode(), nil)
	after := admin.get("/shop/connect", nil)
	if r.resp.StatusCode != http.StatusSeeOther || !strings.Contains(after.body, "state mismatch") ||
		after.testid("shop-connect-status").AttrOr("data-connected", "") != "false" {
		t.Fatalf("state mismatch: status %d, page %q", r.resp.StatusCode, after.testid("shop-connect-page").Text())
	}
	// The real answer, once.
	back = platform()
	admin.get(back.RequestURI(), nil)
	after = admin.get("/shop/connect", nil)
	if after.testid("shop-connect-status").AttrOr("data-connected", "") != "true" || !strings.Contains(after.body, "The shop is connected.") {
		t.Fatalf("after connect: %q", after.testid("shop-connect-page").Text())
	}
	// The panel now shows the twin.
	id := a.demoOrder(func(o *omclient.Order) bool { return o.MerchantReference2 != "" }).OrderID
	if r := admin.get("/orders/"+id, nil); r.testid("shop-number").Length() != 1 {
		t.Errorf("panel after connect: %q", r.testid("order-shop").Text())
	}
	if r := a.signedIn(staff.RoleAgent).get("/shop/connect", nil); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent on /shop/connect: status %d, want 403", r.resp.StatusCode)
	}
}
