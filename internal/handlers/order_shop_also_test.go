package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/internal/shop"
	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
	"ordercare/internal/staff"
)

// The cancel form offers to cancel the shop's order too, ticked; sent,
// both systems are cancelled, the confirmation says so, and the two
// attempts carry the same pair id, the shop's linked to the payment's.
func TestCancelAlsoInTheShop(t *testing.T) {
	t.Parallel()
	a, sb, ag, id := shopAgentOn(t, epsim.TotalsDiffer)
	form := ag.get("/orders/"+id+"/cancel", nil)
	box := form.doc.Find(`[data-testid="shop-also"] input[name="also_shop"]`)
	if _, checked := box.Attr("checked"); box.Length() != 1 || !checked {
		t.Fatalf("the cancel form offers no ticked shop box: %q", form.doc.Find(`[data-testid="form"]`).Text())
	}
	v := formOf(form)
	v.Set("reason", "customer_request")
	ag.post("/orders/"+id+"/cancel", v, nil)
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); !strings.Contains(msg, "cancelled") || !strings.Contains(msg, "Cancelled in the shop.") {
		t.Errorf("flash %q", msg)
	}
	if o := a.sandboxOrder(id); o.Status != omclient.StatusCancelled {
		t.Errorf("payment order %s", o.Status)
	}
	if o, _ := sb.Order(epsim.ShopID(id)); o.Status != ep.StatusCancelled {
		t.Errorf("shop order %s", o.Status)
	}
	as := a.attempts(id)
	if len(as) != 2 || as[1].Requested.Action != "cancel" || as[0].Requested.Action != shop.ActionCancel ||
		as[0].Requested.Detail[orders.DetailPairID] != as[1].Requested.Detail[orders.DetailPairID] ||
		as[0].Requested.Detail["linked_attempt"] != as[1].AttemptID {
		t.Errorf("attempts %+v", as)
	}
}

// Unticked, only the payment order changes; a twin already cancelled
// gets no box but a note saying why.
func TestCancelShopBoxUntickedOrNotOffered(t *testing.T) {
	t.Parallel()
	a, sb, ag, id := shopAgentOn(t, epsim.AddressDiffers)
	v := ag.fill("/orders/"+id+"/cancel", nil)
	if v.Get("also_shop") != "on" || v.Get("also_shop_shown") != "1" {
		t.Fatalf("form values %v", v)
	}
	v.Del("also_shop")
	ag.post("/orders/"+id+"/cancel", v, nil)
	if o := a.sandboxOrder(id); o.Status != omclient.StatusCancelled {
		t.Errorf("payment order %s", o.Status)
	}
	if o, _ := sb.Order(epsim.ShopID(id)); o.Status == ep.StatusCancelled {
		t.Error("the shop order was cancelled with the box unticked")
	}
	if n := len(a.attempts(id)); n != 1 {
		t.Errorf("%d attempts, want the payment's alone", n)
	}

	done := sb.OutOfStep()[epsim.CancelledStillAuthorized]
	r := ag.get("/orders/"+done+"/cancel", nil)
	if r.doc.Find(`input[name="also_shop"]`).Length() != 0 || !strings.Contains(r.testid("shop-also-unavailable").Text(), "already cancelled in the shop") {
		t.Errorf("already cancelled twin: %q", r.doc.Find(`[data-testid="form"]`).Text())
	}
}

// The shop down while the address changes: the payment's address is
// changed and the confirmation says the shop's was not; the order page
// offers the missing half, which, once the shop is back, changes the
// shop's address and disappears.
func TestAddressAlsoInTheShopWhileShopDown(t *testing.T) {
	t.Parallel()
	a, sb, ag, id := shopAgentOn(t, epsim.TotalsDiffer)
	v := ag.fill("/orders/"+id+"/address", map[string]string{"shipping_address.street_address": "Drottninggatan 9", "shipping_address.city": "Uppsala"})
	if v.Get("also_shop") != "on" {
		t.Fatalf("no shop box on the address form: %v", v)
	}
	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.Fault503}}})
	ag.post("/orders/"+id+"/address", v, nil)
	page := ag.get("/orders/"+id, nil)
	if msg := page.testid("flash").Text(); !strings.Contains(msg, "Shipping address updated") || !strings.Contains(msg, "Wien → Uppsala. The shop's answer was lost") || !strings.Contains(msg, "the order page offers it again") {
		t.Errorf("flash %q", msg)
	}
	if o := a.sandboxOrder(id); o.ShippingAddress.City != "Uppsala" {
		t.Errorf("payment city %s", o.ShippingAddress.City)
	}
	missing := page.doc.Find(`[data-testid="shop-missing-half"][data-action="shop_address"]`)
	path, _ := missing.Find(`form`).Attr("action")
	if missing.Length() != 1 || path == "" {
		t.Fatalf("the missing half is not offered: %q", page.doc.Find(`[data-testid="shop-missing"]`).Text())
	}

	sb.SetFaults(epsim.Faults{})
	ag.post(path, url.Values{"_csrf": {ag.csrfToken()}}, nil)
	page = ag.get("/orders/"+id, nil)
	if msg := page.testid("flash").Text(); msg != "Done in the shop too." {
		t.Errorf("flash after sending again %q", msg)
	}
	if page.doc.Find(`[data-testid="shop-missing"]`).Length() != 0 {
		t.Error("the missing half is still offered")
	}
	if o, _ := sb.Order(epsim.ShopID(id)); o.ShippingAddress.City != "Uppsala" || o.ShippingAddress.Line1 != "Drottninggatan 9" {
		t.Errorf("shop address %+v", o.ShippingAddress)
	}
	var outcomes []string
	for _, at := range a.attempts(id) {
		outcomes = append(outcomes, at.Requested.Action+":"+string(at.Outcome()))
	}
	if strings.Join(outcomes, " ") != "shop_address:succeeded shop_address:unknown update_customer_details:succeeded" {
		t.Errorf("attempts %v", outcomes)
	}
	if r := ag.post(path, url.Values{"_csrf": {ag.csrfToken()}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a third send: status %d", r.resp.StatusCode)
	}
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); !strings.Contains(msg, "already succeeded") {
		t.Errorf("third send: flash %q", msg)
	}
}

// shopAgentOn is the shop app, an agent signed in, and the demo order of
// scenario sc.
func shopAgentOn(t *testing.T, sc epsim.Scenario) (*ordersApp, *epsim.Sandbox, *agent, string) {
	t.Helper()
	a, sb := shopApp(t, "shop-secret", 30*time.Second)
	return a, sb, a.signedIn(staff.RoleAgent), sb.OutOfStep()[sc]
}

// Capture everything with the shop's order still authorized there: the
// capture form offers to mark it paid and fulfilled, ticked; sent, the
// shop is told of the capture and fulfils the order, and the confirmation
// says so.
func TestCaptureAlsoPaidAndFulfilledInTheShop(t *testing.T) {
	t.Parallel()
	a, sb, ag, id := shopAgentOn(t, epsim.TotalsDiffer)
	form := ag.get("/orders/"+id+"/capture", nil)
	box := form.doc.Find(`[data-testid="shop-also"] input[name="also_shop"]`)
	if _, checked := box.Attr("checked"); box.Length() != 1 || !checked ||
		!strings.Contains(form.doc.Find(`[data-testid="shop-also"]`).Text(), "paid and fulfilled in the shop") {
		t.Fatalf("the capture form offers no ticked shop box: %q", form.doc.Find(`[data-testid="shop-also"]`).Text())
	}
	ag.post("/orders/"+id+"/capture", ag.fill("/orders/"+id+"/capture", map[string]string{"mode": "full", "reason": "shipped"}), nil)
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); !strings.Contains(msg, "Marked paid and fulfilled in the shop.") {
		t.Errorf("flash %q", msg)
	}
	if o := a.sandboxOrder(id); o.Status != omclient.StatusCaptured {
		t.Errorf("payment order %s", o.Status)
	}
	if o, _ := sb.Order(epsim.ShopID(id)); o.Payment != ep.PaymentPaid || o.Shipping != ep.ShippingFulfilled {
		t.Errorf("shop order %s / %s, want paid and fulfilled", o.Payment, o.Shipping)
	}
	as := a.attempts(id)
	if len(as) != 2 || as[1].Requested.Action != string(omclient.OpCreateCapture) || as[0].Requested.Action != shop.ActionCaptureFulfil ||
		as[0].Outcome() != "succeeded" || as[0].Requested.Detail["linked_attempt"] != as[1].AttemptID {
		t.Errorf("attempts %+v", as)
	}
}

// The shop's answer to its half is lost after the shop applied it: the
// half is recorded as unknown, the order page says so and how to check,
// and sending it again reads the shop's order, finds the change there and
// sends nothing more (one change in the shop in all).
func TestAlsoInTheShopLostAnswerCheckedNotResent(t *testing.T) {
	t.Parallel()
	a, sb, ag, id := shopAgentOn(t, epsim.TotalsDiffer)
	v := ag.fill("/orders/"+id+"/address", map[string]string{"shipping_address.street_address": "Drottninggatan 9", "shipping_address.city": "Uppsala"})
	sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "PUT", Kind: epsim.FaultResetAfterApply, Times: 1}}})
	ag.post("/orders/"+id+"/address", v, nil)
	shopID := epsim.ShopID(id)
	if o, _ := sb.Order(shopID); o.ShippingAddress.City != "Uppsala" {
		t.Fatalf("the sandbox did not apply the change before dropping its answer: %+v", o.ShippingAddress)
	}
	if as := a.attempts(id); len(as) != 2 || as[0].Outcome() != "unknown" {
		t.Fatalf("attempts %+v", as)
	}
	page := ag.get("/orders/"+id, nil)
	missing := page.doc.Find(`[data-testid="shop-missing-half"][data-action="shop_address"]`)
	if txt := missing.Text(); !strings.Contains(txt, "may or may not have been made") || !strings.Contains(txt, "its shipping address is the new one") ||
		!strings.Contains(txt, "never the same change twice") {
		t.Errorf("the page does not say how to check: %q", txt)
	}
	path, _ := missing.Find(`form`).Attr("action")
	ag.post(path, url.Values{"_csrf": {ag.csrfToken()}}, nil)
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); msg != "Done in the shop too." {
		t.Errorf("flash after sending again %q", msg)
	}
	if n := sb.Writes(shopID); n != 1 {
		t.Errorf("the shop received %d changes, want 1", n)
	}
}

// Captured in full without the shop box: the shop still has the payment
// authorized, so the panel's fulfil reports the capture first ("Mark paid
// and fulfilled in the shop") rather than saying the shop fulfils only
// paid orders.
func TestShopPanelFulfilAfterCaptureReportsIt(t *testing.T) {
	t.Parallel()
	_, sb, ag, id := shopAgentOn(t, epsim.TotalsDiffer)
	// Before the capture the button is off, and says what turns it on.
	before := ag.get("/orders/"+id, nil).doc.Find(`[data-testid="shop-change"][data-kind="fulfil"]`).Text()
	if !strings.Contains(before, "once the payment order is captured in full") {
		t.Errorf("the panel's fulfil before the capture: %q", before)
	}
	v := ag.fill("/orders/"+id+"/capture", map[string]string{"mode": "full", "reason": "shipped"})
	v.Del("also_shop")
	ag.post("/orders/"+id+"/capture", v, nil)
	if o, _ := sb.Order(epsim.ShopID(id)); o.Payment != ep.PaymentAuthorized || o.Shipping == ep.ShippingFulfilled {
		t.Fatalf("the shop changed with the box unticked: %s / %s", o.Payment, o.Shipping)
	}
	page := ag.get("/orders/"+id, nil)
	btn := page.doc.Find(`[data-testid="shop-change"][data-kind="fulfil"] [data-testid="shop-change-submit"]`)
	if strings.TrimSpace(btn.Text()) != "Mark paid and fulfilled in the shop" {
		t.Fatalf("the panel's fulfil: %q", page.doc.Find(`[data-testid="shop-change"][data-kind="fulfil"]`).Text())
	}
	ag.post("/orders/"+id+"/shop/fulfil", url.Values{"_csrf": {ag.csrfToken()}, "reason": {"shipped"}}, nil)
	if msg := ag.get("/orders/"+id, nil).testid("flash").Text(); msg != "Marked paid and fulfilled in the shop." {
		t.Errorf("flash %q", msg)
	}
	if o, _ := sb.Order(epsim.ShopID(id)); o.Payment != ep.PaymentPaid || o.Shipping != ep.ShippingFulfilled {
		t.Errorf("shop order %s / %s, want paid and fulfilled", o.Payment, o.Shipping)
	}
}
