package handlers_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"ordercare/internal/apptest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/staff"
)

// TestProviderDownOrderPageAnswersAndRestWorks: with every provider call
// hanging, the order page still answers (504 and a clear "did not answer"
// message once the configured timeout passed, never a hung request), and
// search (served from the index) and /healthz keep working.
func TestProviderDownOrderPageAnswersAndRestWorks(t *testing.T) {
	t.Parallel()
	const omTimeout = 300 * time.Millisecond
	a := newOrdersApp(t, ordersAppOpts{omTimeout: omTimeout})
	ag := a.signedIn(staff.RoleAgent)
	// A generous guard, not a timing assertion: a hung page fails here
	// instead of hanging the test.
	ag.Client.Timeout = omTimeout + 20*time.Second
	o := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusAuthorized })
	a.sandbox.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Kind: omsim.FaultHang}}})
	defer a.sandbox.SetFaults(omsim.Faults{})

	r := ag.get("/orders/"+o.OrderID, nil)
	if r.resp.StatusCode != http.StatusGatewayTimeout || r.testid("provider-error").AttrOr("data-kind", "") != "timeout" {
		t.Fatalf("order page with the provider down: status %d kind %q", r.resp.StatusCode, r.testid("provider-error").AttrOr("data-kind", ""))
	}
	if msg := strings.TrimSpace(r.doc.Find("main").Text()); !strings.Contains(strings.ToLower(msg), "did not answer") {
		t.Errorf("message does not say the provider did not answer: %q", msg)
	}
	// htmx navigation gets the same answer as a fragment.
	if h := ag.get("/orders/"+o.OrderID, http.Header{"Hx-Request": {"true"}}); h.resp.StatusCode != http.StatusGatewayTimeout {
		t.Errorf("htmx order page: %d", h.resp.StatusCode)
	}
	// The rest keeps working while the provider is down.
	name := string(o.BillingAddress.FamilyName)
	s := ag.get("/orders?q="+url.QueryEscape(name), nil)
	if s.resp.StatusCode != http.StatusOK || !contains(s.resultIDs(), o.OrderID) {
		t.Errorf("search for %q while the provider is down: status %d results %v", name, s.resp.StatusCode, s.resultIDs())
	}
	if h := ag.get("/", nil); h.resp.StatusCode != http.StatusOK {
		t.Errorf("start page while the provider is down: %d", h.resp.StatusCode)
	}
	if h := ag.get("/healthz", nil); h.resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz while the provider is down: %d", h.resp.StatusCode)
	}
}

// TestEndedSessionCannotChangeAnOrder extends D1's session tests to the
// change forms: a form filled in by a live session and posted (valid CSRF
// token and all) after the account was disabled, or replayed with the
// session cookie after signing out, sends nothing to the provider.
func TestEndedSessionCannotChangeAnOrder(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusAuthorized })
	path := "/orders/" + o.OrderID + "/references"
	srvURL, _ := url.Parse(a.srv.URL)

	// Signed out, then the old cookies replayed.
	ag := a.signedIn(staff.RoleSupervisor)
	form := ag.fill(path, map[string]string{"merchant_reference1": "REPLAYED-1"})
	saved := ag.Client.Jar.Cookies(srvURL)
	if r := ag.post("/logout", url.Values{"_csrf": {form.Get("_csrf")}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.resp.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(srvURL, saved)
	replay := &agent{a: a, Browser: &apptest.Browser{Base: a.srv.URL, Client: &http.Client{Jar: jar, CheckRedirect: ag.Client.CheckRedirect}}}
	before := a.applied(o.OrderID)
	if r := replay.post(path, form, nil); !signedOutToLogin(r) {
		t.Errorf("replayed session after sign-out: status %d, want the sign-in redirect", r.resp.StatusCode)
	}

	// Disabled while the form was open.
	ag = a.signedIn(staff.RoleAgent)
	form = ag.fill(path, map[string]string{"merchant_reference1": "DISABLED-1"})
	if err := a.h.Staff.Disable(t.Context(), a.staff[staff.RoleAgent]); err != nil {
		t.Fatal(err)
	}
	if r := ag.post(path, form, nil); !signedOutToLogin(r) {
		t.Errorf("disabled account's live session: status %d, want the sign-in redirect", r.resp.StatusCode)
	}
	if n := a.applied(o.OrderID); n != before {
		t.Fatalf("an ended session changed the order (%d changes applied)", n-before)
	}
	if ref := a.sandboxOrder(o.OrderID).MerchantReference1; ref == "REPLAYED-1" || ref == "DISABLED-1" {
		t.Fatalf("merchant reference changed to %q", ref)
	}
}

// TestHostileReferencesAndAddressesRenderAsText extends D2's escaping test
// (names, merchant reference 1) to the second merchant reference, line
// references and every address field, on the order page and in the forms
// that show them as input values.
func TestHostileReferencesAndAddressesRenderAsText(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	script := `<script>alert("ref")</script>`
	attr := `"><img src=x onerror=alert(2)>`
	addr := &omclient.Address{GivenName: "Eva", FamilyName: "Svensson", StreetAddress: omclient.Text(script), StreetAddress2: omclient.Text(attr),
		PostalCode: "11122", City: omclient.Text(`Stock<b>holm</b>`), Country: "SE", Email: "eva@example.se"}
	id, err := a.sandbox.CreateOrder(t.Context(), omsim.NewOrder{
		PurchaseCountry: "SE", PurchaseCurrency: "SEK", Locale: "sv-SE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: omclient.Text(attr), Name: "Lamp", Quantity: 1, UnitPrice: 10000,
			TaxRate: 2500, TotalAmount: 10000, TotalTaxAmount: 2000}},
		BillingAddress: addr, ShippingAddress: addr,
		MerchantReference1: script, MerchantReference2: attr,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.service.GetOrder(t.Context(), id); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/orders/" + id, "/orders/" + id + "/references", "/orders/" + id + "/address", "/orders?q=svensson"} {
		r := ag.get(path, nil)
		if r.resp.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", path, r.resp.StatusCode)
			continue
		}
		for _, raw := range []string{"<script>alert", "<img src=x", "<b>holm"} {
			if strings.Contains(r.body, raw) {
				t.Errorf("%s: %q reached the page as markup", path, raw)
			}
		}
		if n := r.doc.Find("img[onerror], b").Length(); n != 0 {
			t.Errorf("%s: %d injected elements parsed", path, n)
		}
	}
	page := ag.get("/orders/"+id, nil)
	if got := page.testid("merchant-reference1").Text(); got != script {
		t.Errorf("merchant reference 1 shown as %q", got)
	}
	if got := page.testid("merchant-reference2").Text(); got != attr {
		t.Errorf("merchant reference 2 shown as %q", got)
	}
	addrs := page.testid("order-addresses").Text()
	for _, want := range []string{script, attr, "Stock<b>holm</b>"} {
		if !strings.Contains(addrs, want) {
			t.Errorf("addresses do not show %q as text: %q", want, addrs)
		}
	}
	refs := ag.get("/orders/"+id+"/references", nil)
	if v := refs.doc.Find(`input[name="merchant_reference2"]`).AttrOr("value", ""); v != attr {
		t.Errorf("references form holds %q, want the text %q", v, attr)
	}
}
