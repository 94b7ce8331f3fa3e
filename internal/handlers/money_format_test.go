package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// One person reads every amount one way: their browser's language until
// they choose on /account, on the order page and in the list alike,
// whatever the order's market; a Norwegian order's krone is "NOK", never
// "kr" alone.
func TestOnePersonOneMoneyFormat(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.demoOrder(func(o *omclient.Order) bool { return o.PurchaseCurrency == "NOK" && o.OrderAmount >= 100000 })
	german := http.Header{"Accept-Language": {"de-DE,de;q=0.9,en;q=0.5"}}

	shows := func(tag string) {
		t.Helper()
		want := money.Show(o.OrderAmount, "NOK", tag)
		page := ag.get("/orders/"+o.OrderID, german)
		if got := page.testid("amount-current").Text(); got != want {
			t.Errorf("order page amount %q, want %q", got, want)
		}
		if strings.Contains(page.doc.Find("main").Text(), "\u00a0kr") {
			t.Error("the order page writes kr alone")
		}
		list := ag.get("/orders?"+url.Values{"q": {string(o.KlarnaReference)}, "status": {string(o.Status)}}.Encode(), german)
		row := list.doc.Find(`[data-testid="result"][data-order-id="` + o.OrderID + `"]`)
		if got := strings.TrimSpace(row.Find(`[data-testid="result-amount"]`).Text()); got != want {
			t.Errorf("list amount %q, want %q as on the order page", got, want)
		}
	}
	// Nothing chosen: the browser's language, German.
	shows("de-DE")
	if !strings.Contains(money.Show(o.OrderAmount, "NOK", "de-DE"), "NOK") {
		t.Fatal("the German format does not name the krone")
	}

	acc := ag.get("/account", german)
	tok := acc.doc.Find(`[data-testid="numbers-form"] input[name="_csrf"]`).AttrOr("value", "")
	if n := acc.doc.Find(`select[name="numbers"] option`).Length(); n != len(money.NumberFormats)+1 {
		t.Fatalf("the account page offers %d number formats", n)
	}
	if r := ag.post("/account/numbers", url.Values{"_csrf": {tok}, "numbers": {"xx-YY"}}, nil); r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("an unlisted format: %d, want 422", r.resp.StatusCode)
	}
	if r := ag.post("/account/numbers", url.Values{"_csrf": {tok}, "numbers": {"en-GB"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("choosing en-GB: %d", r.resp.StatusCode)
	}
	// Chosen: English on every page, although the browser asks for German.
	shows("en-GB")
	if sel := ag.get("/account", german).doc.Find(`select[name="numbers"] option[selected]`).AttrOr("value", ""); sel != "en-GB" {
		t.Errorf("the account page shows %q chosen", sel)
	}
	// Another member is not affected.
	other := a.signedIn(staff.RoleSupervisor)
	if got := other.get("/orders/"+o.OrderID, german).testid("amount-current").Text(); got != money.Show(o.OrderAmount, "NOK", "de-DE") {
		t.Errorf("another member sees %q", got)
	}
}
