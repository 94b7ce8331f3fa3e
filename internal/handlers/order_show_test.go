package handlers_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/staff"
)

// actionState is what the page says about one action: "allowed" or its
// reason.
func actionState(r answer, op omclient.Operation) string {
	li := r.doc.Find(`#order-actions [data-testid="action"][data-action="` + string(op) + `"]`)
	if li.Length() != 1 {
		return "missing"
	}
	if li.AttrOr("data-allowed", "") == "true" {
		if li.Find("a[href]").Length() != 1 {
			return "allowed without link"
		}
		return "allowed"
	}
	if _, disabled := li.Find("button").Attr("disabled"); !disabled {
		return "refused but not disabled"
	}
	return strings.TrimSpace(li.Find(`[data-testid="action-reason"]`).Text())
}

func TestOrderPageInEveryStatus(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)

	tests := []struct {
		status                  omclient.Status
		pick                    func(*omclient.Order) bool
		capture, cancel, refund string
		expiresPrefix           string
	}{
		{omclient.StatusAuthorized, func(o *omclient.Order) bool { return o.ExpiresAt.Sub(ordersNow) > 4*24*time.Hour },
			"allowed", "allowed", "Refund: not possible, the order has no captures", "expires in "},
		{omclient.StatusPartCaptured, func(o *omclient.Order) bool { return o.CapturedAmount > o.RefundedAmount },
			"allowed", "Cancel: not possible, the order has captures", "allowed", "expires "},
		{omclient.StatusCaptured, func(o *omclient.Order) bool { return o.CapturedAmount > o.RefundedAmount },
			"Capture: not possible, the order is fully captured", "Cancel: not possible, the order has captures", "allowed", ""},
		{omclient.StatusCancelled, func(o *omclient.Order) bool { return true },
			"Capture: not possible, the order is cancelled", "Cancel: not possible, the order is already cancelled",
			"Refund: not possible, the order is cancelled", ""},
		{omclient.StatusExpired, func(o *omclient.Order) bool { return len(o.Captures) == 0 },
			"Capture: not possible, the authorization has expired", "Cancel: not possible, the authorization has expired",
			"Refund: not possible, the order has no captures", "expired "},
		{omclient.StatusClosed, func(o *omclient.Order) bool { return true },
			"Capture: not possible, the order is closed", "Cancel: not possible, the order has captures",
			"Refund: not possible, everything captured has been refunded", ""},
	}
	for _, tt := range tests {
		o := a.demoOrder(func(o *omclient.Order) bool {
			return o.Status == tt.status && o.FraudStatus == omclient.FraudAccepted && tt.pick(o)
		})
		r := ag.get("/orders/"+o.OrderID, nil)
		if r.resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tt.status, r.resp.StatusCode)
		}
		name := string(tt.status)
		if got := r.testid("order-status").AttrOr("data-status", ""); got != string(tt.status) {
			t.Errorf("%s: status badge %q", name, got)
		}
		if !strings.Contains(r.testid("order-status").Text(), statusWord(tt.status)) {
			t.Errorf("%s: badge text %q lacks the status in words", name, r.testid("order-status").Text())
		}
		if got := r.testid("provider-reference").Text(); got != string(o.KlarnaReference) {
			t.Errorf("%s: provider reference %q, want %q", name, got, o.KlarnaReference)
		}
		cur, loc := o.PurchaseCurrency.String(), string(o.Locale) // no choice, no browser language: the order's own
		for id, amount := range map[string]int64{
			"amount-original": o.OriginalOrderAmount, "amount-current": o.OrderAmount, "amount-captured": o.CapturedAmount,
			"amount-refunded": o.RefundedAmount, "amount-remaining": o.RemainingAuthorizedAmount,
		} {
			if got, want := r.testid(id).Text(), money.Show(amount, cur, loc); got != want {
				t.Errorf("%s: %s = %q, want %q", name, id, got, want)
			}
		}
		if got := r.doc.Find(`#order-lines [data-testid="line"]`).Length(); got != len(o.OrderLines) {
			t.Errorf("%s: %d line rows, want %d", name, got, len(o.OrderLines))
		}
		var total int64
		for _, l := range o.OrderLines {
			total += l.TotalAmount
		}
		if got := r.doc.Find(`#order-lines [data-testid="lines-total"]`).Text(); got != money.Show(total, cur, loc) {
			t.Errorf("%s: lines total %q, want %q", name, got, money.Show(total, cur, loc))
		}
		if got := r.testid("capture").Length(); got != len(o.Captures) {
			t.Errorf("%s: %d captures shown, want %d", name, got, len(o.Captures))
		}
		if got := r.testid("refund").Length(); got != len(o.Refunds) {
			t.Errorf("%s: %d refunds shown, want %d", name, got, len(o.Refunds))
		}
		for i, c := range o.Captures {
			sec := r.testid("capture").Eq(i)
			if sec.AttrOr("data-capture-id", "") != c.CaptureID || sec.Find(`[data-testid="capture-amount"]`).Text() != money.Show(c.CapturedAmount, cur, loc) {
				t.Errorf("%s: capture %d shows %q", name, i, sec.Find(`[data-testid="capture-amount"]`).Text())
			}
		}
		for op, want := range map[omclient.Operation]string{omclient.OpCreateCapture: tt.capture, omclient.OpCancel: tt.cancel, omclient.OpCreateRefund: tt.refund} {
			if got := actionState(r, op); got != want {
				t.Errorf("%s: %s = %q, want %q", name, op, got, want)
			}
		}
		rel := r.testid("expires-relative").Text()
		switch {
		case tt.expiresPrefix == "" && rel != "":
			t.Errorf("%s: expiry text %q on an order whose expiry no longer matters", name, rel)
		case tt.expiresPrefix != "" && !strings.HasPrefix(strings.Trim(rel, "()"), tt.expiresPrefix):
			t.Errorf("%s: expiry text %q, want it to start with %q", name, rel, tt.expiresPrefix)
		}
		if r.testid("created").Find("time[datetime]").Length() != 1 {
			t.Errorf("%s: created time missing", name)
		}
		for _, id := range []string{"order-header", "order-amounts", "order-lines", "order-addresses", "order-shipping", "order-captures", "order-refunds", "order-actions"} {
			if r.doc.Find("section#"+id).Length() != 1 {
				t.Errorf("%s: section #%s missing", name, id)
			}
		}
	}
}

func statusWord(s omclient.Status) string {
	return map[omclient.Status]string{omclient.StatusAuthorized: "Authorized", omclient.StatusPartCaptured: "Part captured",
		omclient.StatusCaptured: "Captured", omclient.StatusCancelled: "Cancelled", omclient.StatusExpired: "Expired",
		omclient.StatusClosed: "Closed"}[s]
}

func TestOrderPagePendingFraudAndKlarnaCaptureActions(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{provider: omclient.ProviderKlarna})
	ag := a.signedIn(staff.RoleAgent)

	pending := a.demoOrder(func(o *omclient.Order) bool {
		return o.FraudStatus == omclient.FraudPending && o.Status == omclient.StatusAuthorized
	})
	r := ag.get("/orders/"+pending.OrderID, nil)
	if got := actionState(r, omclient.OpCreateCapture); got != "Capture: not possible, the order is waiting for fraud review" {
		t.Errorf("capture during fraud review: %q", got)
	}
	if got := r.testid("order-fraud").AttrOr("data-fraud", ""); got != "PENDING" {
		t.Errorf("fraud badge %q", got)
	}

	captured := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusCaptured && len(o.Captures) > 0 })
	r = ag.get("/orders/"+captured.OrderID, nil)
	var ops []string
	r.doc.Find(`[data-testid="capture"]`).First().Find(`a[data-action]`).Each(func(_ int, s *goquery.Selection) {
		ops = append(ops, s.AttrOr("data-action", ""))
	})
	if strings.Join(ops, " ") != "add_capture_shipping_info trigger_send_out extend_due_date" {
		t.Errorf("klarna capture actions %v", ops)
	}
	href := r.doc.Find(`[data-testid="capture"] a[data-action="trigger_send_out"]`).First().AttrOr("href", "")
	if href != "/orders/"+captured.OrderID+"/captures/"+captured.Captures[0].CaptureID+"/send-out" {
		t.Errorf("send-out link %q", href)
	}
}

func TestOrderPageEscapesCustomerData(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	evil := `<script>alert("owned")</script>`
	id, err := a.sandbox.CreateOrder(t.Context(), omsim.NewOrder{
		PurchaseCountry: "SE", PurchaseCurrency: "SEK", Locale: "sv-SE", OrderAmount: 10000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Name: omclient.Text(evil), Quantity: 1, UnitPrice: 10000,
			TaxRate: 2500, TotalAmount: 10000, TotalTaxAmount: 2000}},
		BillingAddress: &omclient.Address{GivenName: omclient.Text(evil), FamilyName: "Svensson", StreetAddress: "Storgatan 1",
			PostalCode: "11122", City: "Stockholm", Country: "SE", Email: "x@example.se"},
		MerchantReference1: `"><img src=x onerror=alert(1)>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := ag.get("/orders/"+id, nil)
	if r.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.resp.StatusCode)
	}
	if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, "<img src=x") {
		t.Error("customer data reached the page as markup")
	}
	if r.doc.Find("script").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "owned") }).Length() != 0 {
		t.Error("a script element carries customer data")
	}
	if got := r.testid("line-name").Text(); got != evil {
		t.Errorf("line name shown as %q, want the text %q", got, evil)
	}
	if !strings.Contains(r.testid("billing-address").Text(), evil+" Svensson") {
		t.Errorf("billing name not shown as text: %q", r.testid("billing-address").Text())
	}
	// The search results escape it too.
	s := ag.get("/orders?q=svensson", nil)
	if strings.Contains(s.body, "<script>alert") {
		t.Error("search results render customer data as markup")
	}
}

func TestOrderPageZeroDecimalCurrency(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.demoOrder(func(o *omclient.Order) bool { return o.PurchaseCurrency == "JPY" })
	r := ag.get("/orders/"+o.OrderID, nil)
	got := r.testid("amount-current").Text()
	if !strings.HasPrefix(got, "¥") || strings.ContainsAny(got, ".") || got != money.Format(o.OrderAmount, "JPY", string(o.Locale)) {
		t.Errorf("JPY amount %q for %d", got, o.OrderAmount)
	}
	r.doc.Find(`[data-testid="line-total"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), ".") {
			t.Errorf("JPY line total with decimals: %q", s.Text())
		}
	})
}

func TestOrderPageProviderErrors(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{omTimeout: 300 * time.Millisecond})
	ag := a.signedIn(staff.RoleAgent)

	unknown := uuid.NewString()
	r := ag.get("/orders/"+unknown, nil)
	if r.resp.StatusCode != http.StatusNotFound || r.testid("provider-error-message").Text() != "No order "+unknown+" at Kustom." ||
		strings.TrimSpace(r.testid("correlation-id").Text()) == "" {
		t.Errorf("unknown order: status %d message %q correlation %q", r.resp.StatusCode,
			r.testid("provider-error-message").Text(), r.testid("correlation-id").Text())
	}

	r = ag.get("/orders/not-an-order", nil)
	if r.resp.StatusCode != http.StatusNotFound || r.testid("provider-error").Length() != 1 || r.testid("env-banner").Length() != 1 {
		t.Errorf("not an order id: status %d", r.resp.StatusCode)
	}

	o := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusAuthorized })
	a.sandbox.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: http.MethodGet, PathContains: o.OrderID, Kind: omsim.Fault503}}})
	r = ag.get("/orders/"+o.OrderID, nil)
	if r.resp.StatusCode != http.StatusBadGateway || r.testid("provider-error").AttrOr("data-kind", "") != "unavailable" ||
		r.testid("provider-error-code").Text() != string(omclient.CodeUnavailable) || strings.TrimSpace(r.testid("correlation-id").Text()) == "" {
		t.Errorf("provider outage: status %d kind %q code %q correlation %q", r.resp.StatusCode,
			r.testid("provider-error").AttrOr("data-kind", ""), r.testid("provider-error-code").Text(), r.testid("correlation-id").Text())
	}
	if !strings.Contains(r.doc.Find("h1").Text(), "The provider did not answer") {
		t.Errorf("outage heading %q", r.doc.Find("h1").Text())
	}

	a.sandbox.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: http.MethodGet, PathContains: o.OrderID, Kind: omsim.FaultHang}}})
	r = ag.get("/orders/"+o.OrderID, nil)
	if r.resp.StatusCode != http.StatusGatewayTimeout || r.testid("provider-error").AttrOr("data-kind", "") != "timeout" {
		t.Errorf("provider timeout: status %d kind %q", r.resp.StatusCode, r.testid("provider-error").AttrOr("data-kind", ""))
	}
	a.sandbox.SetFaults(omsim.Faults{})
	if r := ag.get("/orders/"+o.OrderID, nil); r.resp.StatusCode != http.StatusOK {
		t.Errorf("after the faults: status %d", r.resp.StatusCode)
	}
	if o.BillingAddress != nil && o.BillingAddress.Email != "" && strings.Contains(a.logs.String(), string(o.BillingAddress.Email)) {
		t.Error("the customer's e-mail address is in the logs")
	}
	if !strings.Contains(a.logs.String(), "reading an order failed") {
		t.Error("provider failures are not logged")
	}
}

func TestOrderPageBadCredentials(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{wrongPassword: true})
	ag := a.signedIn(staff.RoleAgent)
	o := a.demoOrder(func(o *omclient.Order) bool { return true })
	r := ag.get("/orders/"+o.OrderID, nil)
	if r.resp.StatusCode != http.StatusBadGateway || r.testid("provider-error").AttrOr("data-kind", "") != "credentials" {
		t.Errorf("bad credentials: status %d kind %q", r.resp.StatusCode, r.testid("provider-error").AttrOr("data-kind", ""))
	}
	if !strings.Contains(r.testid("provider-error-message").Text(), "401") {
		t.Errorf("message %q does not name the 401", r.testid("provider-error-message").Text())
	}
	// The search box's order id lookup says the same inside the results.
	r = ag.get("/orders?q="+o.OrderID, nil)
	if r.testid("provider-error").AttrOr("data-kind", "") != "credentials" {
		t.Errorf("search lookup with bad credentials: %q", r.testid("provider-error").AttrOr("data-kind", ""))
	}
}

// The auditor reads and never changes: their order page offers no live
// action (each used to answer "Not allowed" only once clicked), but still
// says what staff could do with the order now.
func TestAuditorSeesNoLiveAction(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool { return len(o.Captures) > 0 && o.Status == omclient.StatusPartCaptured })
	auditor := a.signedIn(staff.RoleAuditor)
	p := auditor.get("/orders/"+o.OrderID, nil)
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d", p.resp.StatusCode)
	}
	if n := p.doc.Find(`#order-page a[hx-get], #order-page [data-testid="action"] a, #order-page [data-testid="action"] button`).Length(); n != 0 {
		t.Errorf("the auditor's order page has %d action links or buttons", n)
	}
	summary := p.testid("actions-read-only").Text()
	if !strings.Contains(summary, "Auditor") || !strings.Contains(summary, "Capture") {
		t.Errorf("read-only summary %q should name the role and what staff could do", summary)
	}
	// An agent still gets the live actions.
	ag := a.signedIn(staff.RoleAgent)
	if n := ag.get("/orders/"+o.OrderID, nil).doc.Find(`[data-testid="action"] a[hx-get]`).Length(); n == 0 {
		t.Error("the agent lost the action links")
	}
}
