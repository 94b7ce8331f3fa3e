package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"ordercare/internal/bulk"
	"ordercare/internal/omclient"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/staff"
)

// TestOrderListOutOfStepWithTheShop: the order list's "out of step with
// the shop" filter lists the orders whose twin, as last read, disagrees
// with the payment order while money is authorized (cancelled or shipped
// in the shop, another address), newest first, and nothing else: not an
// order in step, not one whose shop totals differ. It combines with the
// other filters and the words, stays in the address, the pager and the
// export, and reads no twin from the shop.
func TestOrderListOutOfStepWithTheShop(t *testing.T) {
	t.Parallel()
	a, sb := shopApp(t, "shop-secret", 30*time.Second, func(o *ordersAppOpts) { o.bulk = &bulk.Limits{} })
	ag := a.signedIn(staff.RoleAgent)
	filter := url.Values{"out_of_step": {"1"}}

	r := ag.get("/orders?"+filter.Encode(), nil)
	box := r.testid("filter-out-of-step")
	if r.resp.StatusCode != http.StatusOK || len(r.resultIDs()) != 0 || box.Length() != 1 || !box.Is("[checked]") {
		t.Fatalf("before any twin was read: status %d, rows %v, checkbox %d ticked %v", r.resp.StatusCode, r.resultIDs(), box.Length(), box.Is("[checked]"))
	}

	// The twins are read as the agent opens orders: the four made out of
	// step and the newest ten, in step.
	oos := sb.OutOfStep()
	all := a.allDemoOrders()
	for _, o := range all[:10] {
		ag.get("/orders/"+o.OrderID, nil)
	}
	for _, id := range oos {
		ag.get("/orders/"+id, nil)
	}
	flagged := map[string]bool{oos[epsim.CancelledStillAuthorized]: true, oos[epsim.FulfilledNotCaptured]: true, oos[epsim.AddressDiffers]: true}
	var want []*omclient.Order
	for _, o := range all {
		if flagged[o.OrderID] {
			want = append(want, o)
		}
	}
	ids := func(os []*omclient.Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.OrderID)
		}
		return out
	}
	// The shop is down from here: the filter reads the index alone.
	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Kind: epsim.Fault503}}})

	one := want[1]
	family := strings.Fields(string(one.BillingAddress.FamilyName))[0]
	cases := []struct {
		name   string
		params url.Values
		want   []*omclient.Order
	}{
		{"alone", url.Values{}, want},
		{"with the currency", url.Values{"currency": {string(one.PurchaseCurrency)}},
			slices.DeleteFunc(slices.Clone(want), func(o *omclient.Order) bool { return o.PurchaseCurrency != one.PurchaseCurrency })},
		{"with the status", url.Values{"status": {string(one.Status)}},
			slices.DeleteFunc(slices.Clone(want), func(o *omclient.Order) bool { return o.Status != one.Status })},
		{"with a name", url.Values{"q": {family}}, slices.DeleteFunc(slices.Clone(want), func(o *omclient.Order) bool {
			return !strings.Contains(string(o.BillingAddress.FamilyName), family) && !strings.Contains(string(o.ShippingAddress.FamilyName), family)
		})},
		{"with a closed status", url.Values{"status": {string(omclient.StatusCaptured)}}, nil},
	}
	for _, tc := range cases {
		params := url.Values{"out_of_step": {"1"}}
		for k, v := range tc.params {
			params[k] = v
		}
		page := ag.get("/orders?"+params.Encode(), nil)
		if page.resp.StatusCode == http.StatusSeeOther { // to the list's one address
			page = ag.get(page.resp.Header.Get("Location"), nil)
		}
		if page.resp.StatusCode != http.StatusOK || !slices.Equal(page.resultIDs(), ids(tc.want)) {
			t.Errorf("%s: status %d, rows %v; want %v", tc.name, page.resp.StatusCode, page.resultIDs(), ids(tc.want))
		}
		if !page.testid("filter-out-of-step").Is("[checked]") {
			t.Errorf("%s: the filter's checkbox is not ticked on the filtered list", tc.name)
		}
		if href := page.testid("export-csv").AttrOr("href", ""); len(tc.want) > 0 && !strings.Contains(href, "out_of_step=1") {
			t.Errorf("%s: the export link %q drops the filter", tc.name, href)
		}
		resp, recs := ag.exportCSV(params)
		var got []string
		for _, rec := range recs[1:] {
			got = append(got, rec[0])
		}
		if resp.StatusCode != http.StatusOK || !slices.Equal(got, ids(tc.want)) {
			t.Errorf("%s: export status %d, orders %v; want %v", tc.name, resp.StatusCode, got, ids(tc.want))
		}
	}
	if len(cases[1].want) == len(want) && len(cases[2].want) == len(want) && len(cases[3].want) == len(want) {
		t.Fatal("no combined filter narrows the list: the cases prove little")
	}

	// "All orders of this list" in bulk takes the filter too: the list's
	// bulk form carries it, and the confirmation names those orders.
	page := ag.get("/orders?"+filter.Encode(), nil)
	list := page.testid("bulk-form").Find(`input[name="list"]`).AttrOr("value", "")
	if list != filter.Encode() {
		t.Errorf("the bulk form carries the list %q, want %q", list, filter.Encode())
	}
	form := url.Values{"_csrf": {ag.csrfToken()}, "op": {string(omclient.OpExtendAuthorizationTime)}, "scope": {"all"}, "list": {list}}
	conf := ag.post("/orders/bulk", form, nil)
	var confirmed []string
	for _, n := range conf.testid("bulk-start-form").Find(`input[name="order"]`).Nodes {
		for _, at := range n.Attr {
			if at.Key == "value" {
				confirmed = append(confirmed, at.Val)
			}
		}
	}
	if conf.resp.StatusCode != http.StatusOK || !slices.Equal(confirmed, ids(want)) {
		t.Errorf("bulk, all of the list: status %d, orders %v; want %v", conf.resp.StatusCode, confirmed, ids(want))
	}

	// Unticked, the list is every order again.
	if got := ag.get("/orders", nil); len(got.resultIDs()) != min(25, len(all)) || got.testid("filter-out-of-step").Is("[checked]") {
		t.Errorf("without the filter: %d rows, ticked %v", len(got.resultIDs()), got.testid("filter-out-of-step").Is("[checked]"))
	}
}

// Without a shop there are no twins: the list does not offer the filter.
func TestOrderListOffersOutOfStepOnlyWithAShop(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	if n := ag.get("/orders", nil).testid("filter-out-of-step").Length(); n != 0 {
		t.Errorf("the list without a shop offers the out-of-step filter (%d)", n)
	}
}
