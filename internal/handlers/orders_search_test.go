package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

func TestSearchByEachKey(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool {
		return o.MerchantReference1 != "" && o.MerchantReference2 != "" && o.KlarnaReference != "" &&
			o.BillingAddress != nil && o.BillingAddress.Email != "" && o.BillingAddress.FamilyName != ""
	})
	ag := a.signedIn(staff.RoleAgent)
	b := o.BillingAddress
	keys := []struct{ name, q string }{
		{"merchant reference 1", string(o.MerchantReference1)},
		{"merchant reference 1, lower-case prefix", strings.ToLower(string(o.MerchantReference1)[:len(o.MerchantReference1)-1])},
		{"merchant reference 2", string(o.MerchantReference2)},
		{"provider reference", string(o.KlarnaReference)},
		{"provider reference, lower-case", strings.ToLower(string(o.KlarnaReference))},
		{"e-mail", string(b.Email)},
		{"e-mail prefix, upper-case", strings.ToUpper(string(b.Email)[:5])},
		{"family name", string(b.FamilyName)},
		{"given and family name", string(b.GivenName) + " " + string(b.FamilyName)},
		{"name prefix, mixed case", strings.ToUpper(string(b.GivenName)[:1]) + strings.ToLower(string(b.GivenName)[1:2])},
	}
	for _, k := range keys {
		// Prefixes can match more than a page of orders; the status filter
		// narrows to the order's own status, as an agent would.
		path := "/orders?" + url.Values{"q": {k.q}, "status": {string(o.Status)}}.Encode()
		for _, mode := range []string{"full page", "htmx"} {
			var r answer
			if mode == "htmx" {
				r = ag.htmx(path, "search-q")
			} else {
				r = ag.get(path, nil)
			}
			if r.resp.StatusCode != http.StatusOK {
				t.Fatalf("%s (%s): status %d", k.name, mode, r.resp.StatusCode)
			}
			if ids := r.resultIDs(); !contains(ids, o.OrderID) {
				t.Errorf("%s %q (%s): order %s not among %d results", k.name, k.q, mode, o.OrderID, len(ids))
			}
		}
	}
	if strings.Contains(a.logs.String(), string(b.Email)) || strings.Contains(a.logs.String(), string(b.FamilyName)) {
		t.Error("a searched e-mail address or name is in the logs")
	}
	// The result row shows status and amount. (With the status filter:
	// the exact reference alone opens the order.)
	r := ag.get("/orders?"+url.Values{"q": {string(o.KlarnaReference)}, "status": {string(o.Status)}}.Encode(), nil)
	row := r.doc.Find(`[data-testid="result"][data-order-id="` + o.OrderID + `"]`)
	if row.AttrOr("data-status", "") != string(o.Status) || strings.TrimSpace(row.Find(`[data-testid="result-amount"]`).Text()) == "" {
		t.Errorf("result row lacks status or amount: %q", row.Text())
	}
}

func TestSearchNoMatchAndEmptyQuery(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	r := ag.get("/orders?q=zzz-no-such-reference", nil)
	if r.resp.StatusCode != http.StatusOK || len(r.resultIDs()) != 0 || r.testid("search-empty").Length() != 1 {
		t.Errorf("no-match search: status %d, %d rows, empty message %d", r.resp.StatusCode, len(r.resultIDs()), r.testid("search-empty").Length())
	}
}

func TestSearchPagesNewestFirstWithStatusFilter(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)

	first := ag.get("/orders", nil)
	ids := first.resultIDs()
	if len(ids) != 25 {
		t.Fatalf("first page has %d rows, want 25", len(ids))
	}
	next := first.testid("next-page")
	href := next.AttrOr("href", "")
	if href == "" || next.AttrOr("hx-get", "") != href || !strings.Contains(href, "cursor=") {
		t.Fatalf("next link href %q hx-get %q", href, next.AttrOr("hx-get", ""))
	}
	second := ag.htmx(href, "")
	ids2 := second.resultIDs()
	if len(ids2) == 0 {
		t.Fatal("second page is empty")
	}
	for _, id := range ids2 {
		if contains(ids, id) {
			t.Errorf("order %s on both pages", id)
		}
	}
	// Newest first across the page boundary.
	created := func(id string) string {
		o, err := a.sandbox.Order(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		return o.CreatedAt.UTC().Format("2006-01-02T15:04:05")
	}
	all := append(append([]string{}, ids...), ids2...)
	for i := 1; i < len(all); i++ {
		if created(all[i-1]) < created(all[i]) {
			t.Errorf("row %d (%s) is newer than row %d", i, created(all[i]), i-1)
		}
	}

	for _, st := range omclient.Statuses {
		r := ag.get("/orders?status="+string(st), nil)
		rows := r.testid("result")
		if rows.Length() == 0 {
			t.Errorf("status %s: no demo orders found", st)
		}
		for _, id := range r.resultIDs() {
			row := r.doc.Find(`[data-testid="result"][data-order-id="` + id + `"]`)
			if row.AttrOr("data-status", "") != string(st) {
				t.Errorf("status filter %s shows a %s order", st, row.AttrOr("data-status", ""))
			}
		}
		if sel := r.doc.Find(`#status-filter option[selected]`).AttrOr("value", ""); sel != string(st) {
			t.Errorf("status filter shows %q selected, want %s", sel, st)
		}
	}
}

func TestSearchOrderIDOpensTheOrder(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusAuthorized })

	r := ag.get("/orders?q="+o.OrderID, nil)
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/orders/"+o.OrderID {
		t.Errorf("order id search: status %d location %q", r.resp.StatusCode, r.resp.Header.Get("Location"))
	}
	r = ag.htmx("/orders?q="+o.OrderID, "search-q")
	if r.resp.Header.Get("HX-Redirect") != "/orders/"+o.OrderID {
		t.Errorf("htmx order id search: HX-Redirect %q", r.resp.Header.Get("HX-Redirect"))
	}
}

func TestSearchUnknownOrderID(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	id := uuid.NewString()

	for _, r := range []answer{ag.get("/orders?q="+id, nil), ag.htmx("/orders?q="+id, "search-q")} {
		if r.resp.StatusCode != http.StatusNotFound {
			t.Errorf("status %d, want 404", r.resp.StatusCode)
		}
		msg := r.testid("provider-error-message").Text()
		if msg != "No order "+id+" at Kustom." {
			t.Errorf("message %q", msg)
		}
		if corr := strings.TrimSpace(r.testid("correlation-id").Text()); corr == "" {
			t.Error("no correlation id shown")
		}
		if code := r.testid("provider-error-code").Text(); code != string(omclient.CodeNoSuchOrder) {
			t.Errorf("code %q", code)
		}
	}
}

func TestSearchMalformedQueryGetsHint(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	for _, q := range []string{"0b0d9c34-5a5c-4b5e-9f27-2a6a3a7f2c1g", "0b0d9c345-a5c-4b5e", strings.Repeat("x", 300)} {
		r := ag.get("/orders?"+url.Values{"q": {q}}.Encode(), nil)
		if r.resp.StatusCode != http.StatusOK {
			t.Errorf("%.20q: status %d, want 200 with a hint", q, r.resp.StatusCode)
		}
		if r.testid("search-hint").Length() != 1 || r.testid("error-page").Length() != 0 {
			t.Errorf("%.20q: hint %d, error page %d", q, r.testid("search-hint").Length(), r.testid("error-page").Length())
		}
	}
	// A stale pager link is explained, not an error.
	r := ag.get("/orders?cursor=bm9uc2Vuc2U", nil)
	if r.resp.StatusCode != http.StatusOK || r.testid("search-hint").Length() != 1 || len(r.resultIDs()) != 25 {
		t.Errorf("bad cursor: status %d hint %d rows %d", r.resp.StatusCode, r.testid("search-hint").Length(), len(r.resultIDs()))
	}
}

func TestSearchHTMXPartialVersusFullPage(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)

	full := ag.get("/orders?q=a", nil)
	if full.doc.Find("html").Length() != 1 || full.testid("env-banner").Length() != 1 || full.doc.Find("#results").Length() != 1 {
		t.Error("full page lacks the layout or #results")
	}
	if full.doc.Find(`#search-q`).AttrOr("value", "") != "a" {
		t.Error("search box does not keep the query")
	}
	if full.doc.Find("[hx-swap-oob]").Length() != 0 {
		t.Error("full page carries out-of-band fragments")
	}
	if vary := strings.Join(full.resp.Header.Values("Vary"), ", "); !strings.Contains(vary, "HX-Request") {
		t.Errorf("Vary %q lacks HX-Request", vary)
	}

	part := ag.htmx("/orders?q=a", "search-q")
	if strings.Contains(part.body, "<html") || strings.Contains(part.body, `id="results"`) || part.testid("env-banner").Length() != 0 {
		t.Error("htmx answer is not just the inside of #results")
	}
	if len(part.resultIDs()) != len(full.resultIDs()) || len(part.resultIDs()) == 0 {
		t.Errorf("partial has %d rows, full page %d", len(part.resultIDs()), len(full.resultIDs()))
	}
	if part.doc.Find(`#filter-q[hx-swap-oob="true"]`).AttrOr("value", "") != "a" {
		t.Error("partial does not refresh the filter form's query")
	}
	if part.doc.Find(`#status-filter[hx-swap-oob="true"]`).Length() != 1 {
		t.Error("typing does not refresh the status filter")
	}
	// The status select keeps its focus: its own request does not replace it.
	fromSelect := ag.htmx("/orders?q=a&status=CAPTURED", "status-filter")
	if fromSelect.doc.Find(`#status-filter`).Length() != 0 {
		t.Error("the status filter replaces itself")
	}
}

func TestSearchAccessByRole(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool { return true })
	for _, path := range []string{"/", "/orders?q=a", "/orders/" + o.OrderID} {
		r := a.anonymous().get(path, nil)
		if r.resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.resp.Header.Get("Location"), "/login") {
			t.Errorf("signed out %s: status %d location %q", path, r.resp.StatusCode, r.resp.Header.Get("Location"))
		}
		for _, role := range staff.Roles {
			if r := a.signedIn(role).get(path, nil); r.resp.StatusCode != http.StatusOK {
				t.Errorf("%s %s: status %d", role, path, r.resp.StatusCode)
			}
		}
	}
}
