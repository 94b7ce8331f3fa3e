package handlers_test

import (
	"encoding/csv"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// allDemoOrders is every sandbox order, newest first (the list's order).
func (a *ordersApp) allDemoOrders() []*omclient.Order {
	a.t.Helper()
	ids, err := a.sandbox.OrderIDs(a.t.Context())
	if err != nil {
		a.t.Fatal(err)
	}
	var out []*omclient.Order
	for _, id := range ids {
		o, err := a.sandbox.Order(a.t.Context(), id)
		if err != nil {
			a.t.Fatal(err)
		}
		out = append(out, o)
	}
	slices.SortFunc(out, func(x, y *omclient.Order) int {
		if c := y.CreatedAt.Compare(x.CreatedAt.Time); c != 0 {
			return c
		}
		return strings.Compare(y.OrderID, x.OrderID)
	})
	return out
}

// exportCSV downloads the list's CSV export and returns its records.
func (ag *agent) exportCSV(params url.Values) (*http.Response, [][]string) {
	ag.a.t.Helper()
	r := ag.get("/orders/export.csv?"+params.Encode(), nil)
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil && r.resp.StatusCode == http.StatusOK {
		ag.a.t.Fatalf("export is not CSV: %v", err)
	}
	return r.resp, recs
}

// TestOrderListFiltersAndExport: each filter of the order list keeps the
// orders a person would pick by hand from the provider's data, on the
// page (first 25, newest first, filters kept in the pager's link) and in
// the CSV export (all of them, amounts as decimals with their currency).
func TestOrderListFiltersAndExport(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	all := a.allDemoOrders()
	eur := all[slices.IndexFunc(all, func(o *omclient.Order) bool { return o.PurchaseCurrency == "EUR" })]
	sek := all[slices.IndexFunc(all, func(o *omclient.Order) bool { return o.PurchaseCurrency == "SEK" })]
	day := all[len(all)/2].CreatedAt.In(time.Local).Format("2006-01-02")
	open := func(o *omclient.Order) bool {
		return o.Status == omclient.StatusAuthorized || o.Status == omclient.StatusPartCaptured
	}
	soonest := math.MaxInt
	for _, o := range all {
		if d := int(math.Ceil(o.ExpiresAt.Sub(ordersNow).Hours() / 24)); open(o) && o.ExpiresAt.After(ordersNow) && d < soonest {
			soonest = d
		}
	}
	withUnknown := all[7]
	a.seedAttempt(auditSeed{id: "u1", at: ordersNow.Add(-time.Hour), email: "agent@example.com", order: withUnknown.OrderID,
		action: "create_capture", outcome: audit.OutcomeUnknown, body: `{"captured_amount":100}`})

	cases := []struct {
		name   string
		params url.Values
		want   func(*omclient.Order) bool
	}{
		{"currency", url.Values{"currency": {"sek"}}, func(o *omclient.Order) bool { return o.PurchaseCurrency == "SEK" }},
		{"status and currency", url.Values{"status": {string(sek.Status)}, "currency": {"SEK"}}, func(o *omclient.Order) bool {
			return o.PurchaseCurrency == "SEK" && o.Status == sek.Status
		}},
		{"amount range", url.Values{"currency": {"EUR"}, "amount_min": {money.FormatPlain(eur.OrderAmount, "EUR")},
			"amount_max": {money.FormatPlain(eur.OrderAmount+100, "EUR")}}, func(o *omclient.Order) bool {
			return o.PurchaseCurrency == "EUR" && o.OrderAmount >= eur.OrderAmount && o.OrderAmount <= eur.OrderAmount+100
		}},
		{"created on one day", url.Values{"from": {day}, "to": {day}}, func(o *omclient.Order) bool {
			return o.CreatedAt.In(time.Local).Format("2006-01-02") == day
		}},
		{"authorization expires soon", url.Values{"expires_within": {strconv.Itoa(soonest)}}, func(o *omclient.Order) bool {
			return open(o) && o.ExpiresAt.After(ordersNow) && !o.ExpiresAt.After(ordersNow.AddDate(0, 0, soonest))
		}},
		{"has an unknown outcome", url.Values{"unknown": {"1"}}, func(o *omclient.Order) bool { return o.OrderID == withUnknown.OrderID }},
	}
	for _, tc := range cases {
		var want []string
		for _, o := range all {
			if tc.want(o) {
				want = append(want, o.OrderID)
			}
		}
		if len(want) == 0 {
			t.Fatalf("%s: no demo order qualifies; the case proves nothing", tc.name)
		}
		if len(want) == len(all) {
			t.Fatalf("%s: every demo order qualifies; the case proves nothing", tc.name)
		}
		resp, recs := ag.exportCSV(tc.params)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: export status %d, type %q", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		var got []string
		for _, rec := range recs[1:] {
			got = append(got, rec[0])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: export has %d orders %v, want %d %v", tc.name, len(got), got, len(want), want)
		}
		page := ag.get("/orders?"+tc.params.Encode(), nil)
		if page.resp.StatusCode == http.StatusSeeOther { // to the list's one address (currency in capitals)
			page = ag.get(page.resp.Header.Get("Location"), nil)
		}
		if page.resp.StatusCode != http.StatusOK || !slices.Equal(page.resultIDs(), want[:min(25, len(want))]) {
			t.Errorf("%s: page status %d rows %v, want %v", tc.name, page.resp.StatusCode, page.resultIDs(), want[:min(25, len(want))])
		}
		for k, v := range tc.params {
			if k == "status" || k == "unknown" {
				continue
			}
			if got := page.testid("filter-"+k).AttrOr("value", ""); !strings.EqualFold(got, v[0]) {
				t.Errorf("%s: filter %s shows %q after the search, want %q", tc.name, k, got, v[0])
			}
		}
		if next := page.testid("next-page").AttrOr("href", ""); next != "" {
			for k := range tc.params {
				if !strings.Contains(next, k+"=") {
					t.Errorf("%s: the next page's link %q drops the %s filter", tc.name, next, k)
				}
			}
		}
	}

	// One row read against the provider's order: decimals and currency.
	_, recs := ag.exportCSV(url.Values{"currency": {"EUR"}})
	head := recs[0]
	col := func(rec []string, name string) string { return rec[slices.Index(head, name)] }
	for _, rec := range recs[1:] {
		if col(rec, "order_id") != eur.OrderID {
			continue
		}
		if col(rec, "amount") != money.FormatPlain(eur.OrderAmount, "EUR") || col(rec, "currency") != "EUR" ||
			!strings.Contains(col(rec, "amount"), ".") || col(rec, "status") != string(eur.Status) {
			t.Errorf("export row = %v; want amount %s EUR", rec, money.FormatPlain(eur.OrderAmount, "EUR"))
		}
	}
}

// TestOrderListBadFilterIsShownAtTheField: a value that cannot be read is
// named beside its field, kept as typed, and lists nothing rather than
// a list that ignores it; the export refuses it.
func TestOrderListBadFilterIsShownAtTheField(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	for _, tc := range []struct{ field, value string }{
		{"amount_min", "ten euros"}, {"from", "31/12/2026"}, {"currency", "XYZ1"}, {"expires_within", "-3"},
	} {
		params := url.Values{tc.field: {tc.value}, "status": {"CAPTURED"}}
		r := ag.get("/orders?"+params.Encode(), nil)
		if r.resp.StatusCode != http.StatusBadRequest || len(r.resultIDs()) != 0 {
			t.Errorf("%s=%q: status %d, %d rows; want 400 and none", tc.field, tc.value, r.resp.StatusCode, len(r.resultIDs()))
		}
		in := r.testid("filter-" + tc.field)
		if in.AttrOr("value", "") != strings.ToUpper(tc.value) && in.AttrOr("value", "") != tc.value {
			t.Errorf("%s: the field lost what was typed: %q", tc.field, in.AttrOr("value", ""))
		}
		if msg := r.doc.Find("#" + in.AttrOr("aria-describedby", "none")).Text(); msg == "" || in.AttrOr("aria-invalid", "") != "true" {
			t.Errorf("%s: no message beside the field", tc.field)
		}
		if resp, _ := ag.exportCSV(params); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: export status %d, want 400", tc.field, resp.StatusCode)
		}
	}
}
