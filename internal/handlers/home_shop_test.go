package handlers_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/staff"
)

// The start page lists the orders out of step with the shop, from the
// twins as last read (here by opening each order), without reading the
// shop again: with the shop down the list stays. Each row links to its
// order.
func TestHomeListsOrdersOutOfStepWithTheShop(t *testing.T) {
	t.Parallel()
	a, sb := shopApp(t, "shop-secret", 30*time.Second)
	ag := a.signedIn(staff.RoleAgent)
	if n := ag.get("/", nil).doc.Find(`[data-testid="shop-mismatch"]`).Length(); n != 0 {
		t.Fatalf("%d rows before any twin was read", n)
	}
	oos := sb.OutOfStep()
	for _, sc := range []epsim.Scenario{epsim.CancelledStillAuthorized, epsim.FulfilledNotCaptured, epsim.AddressDiffers, epsim.TotalsDiffer} {
		ag.get("/orders/"+oos[sc], nil)
	}
	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Kind: epsim.Fault503}}})
	home := ag.get("/", nil)
	got := map[string]string{}
	for _, n := range home.doc.Find(`[data-testid="shop-mismatch"]`).Nodes {
		var id, kind string
		for _, at := range n.Attr {
			switch at.Key {
			case "data-order-id":
				id = at.Val
			case "data-kind":
				kind = at.Val
			}
		}
		got[id] = kind
	}
	want := map[string]string{oos[epsim.CancelledStillAuthorized]: "cancelled-authorized",
		oos[epsim.FulfilledNotCaptured]: "fulfilled-not-captured", oos[epsim.AddressDiffers]: "address"}
	if len(got) != len(want) {
		t.Errorf("listed %v, want %v", got, want)
	}
	for id, k := range want {
		if got[id] != k {
			t.Errorf("order %s listed as %q, want %q", id, got[id], k)
		}
	}
	if href, _ := home.doc.Find(`[data-testid="shop-mismatch"][data-kind="address"] a`).Attr("href"); href != "/orders/"+oos[epsim.AddressDiffers] {
		t.Errorf("row link %q", href)
	}
	// The list beyond the start page's window: the order list, filtered.
	if href := home.testid("shop-mismatches-all").AttrOr("href", ""); href != "/orders?out_of_step=1" {
		t.Errorf("the link to the filtered list is %q", href)
	}
}

// The number the customer quotes (the shop's order number, once its twin
// was read) opens the order from the search box.
func TestSearchByShopNumberOpensTheOrder(t *testing.T) {
	t.Parallel()
	_, sb, ag, id := shopAgentOn(t, epsim.TotalsDiffer)
	ag.get("/orders/"+id, nil)
	o, _ := sb.Order(epsim.ShopID(id))
	r := ag.get("/orders?q="+url.QueryEscape(o.OrderNumber), nil)
	if loc := r.resp.Header.Get("Location"); r.resp.StatusCode != http.StatusSeeOther || loc != "/orders/"+id {
		t.Errorf("search %q: status %d, to %q", o.OrderNumber, r.resp.StatusCode, loc)
	}
}
