package handlers_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"ordercare/internal/apptest"
	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
	"ordercare/internal/staff"
)

// Helpers for the order-change form tests (F1 and F2): open a form like a
// browser, change some fields, post it (plainly or as htmx), and look at
// the sandbox and the audit log afterwards.

// htmxHeaders are what htmx sends for a form inside the order page.
func htmxHeaders(a *ordersApp, orderID string) http.Header {
	return http.Header{"Hx-Request": {"true"}, "Hx-Current-Url": {a.srv.URL + "/orders/" + orderID}, "Hx-Target": {"order-form"}}
}

// post submits form to path; hdr adds headers (htmxHeaders for htmx). The
// form must carry its _csrf (formValues harvests it).
func (ag *agent) post(path string, form url.Values, hdr http.Header) answer {
	ag.a.t.Helper()
	return answerOf(ag.MustDo(ag.a.t, http.MethodPost, path, form, hdr))
}

// formOf returns the values the change form in r would submit
// (apptest.Submitted).
func formOf(r answer) url.Values {
	return apptest.Submitted(r.doc.Find(`form[data-testid="change-form"]`))
}

// formValues opens the form at path (as its own page) and returns what it
// would submit as rendered.
func (ag *agent) formValues(path string) url.Values {
	ag.a.t.Helper()
	r := ag.get(path, nil)
	if r.resp.StatusCode != http.StatusOK {
		ag.a.t.Fatalf("GET %s: status %d: %s", path, r.resp.StatusCode, r.body)
	}
	v := formOf(r)
	if v.Get("_csrf") == "" || v.Get("idempotency_key") == "" || v.Get("expected") == "" {
		ag.a.t.Fatalf("GET %s: the form lacks its hidden fields: %v", path, v)
	}
	return v
}

// fill opens the form at path, sets a reason, applies set (a "" value
// deletes the field from the submit) and returns the values to post.
func (ag *agent) fill(path string, set map[string]string) url.Values {
	ag.a.t.Helper()
	v := ag.formValues(path)
	v.Set("reason", "customer_request")
	for k, x := range set {
		v.Set(k, x)
	}
	return v
}

// applied is how many changes the sandbox applied to the order.
func (a *ordersApp) applied(orderID string) int {
	a.t.Helper()
	return apptest.Applied(a.t, a.sandbox, orderID)
}

// sandboxOrder is the order as the sandbox holds it now.
func (a *ordersApp) sandboxOrder(orderID string) *omclient.Order {
	a.t.Helper()
	return apptest.SandboxOrder(a.t, a.sandbox, orderID)
}

// attempts are the order's audited change attempts, newest first.
func (a *ordersApp) attempts(orderID string) []audit.Attempt {
	a.t.Helper()
	return apptest.Attempts(a.t, a.h.Audit, orderID)
}

// lastAttempt is the order's newest attempt; the test fails when there is
// none or it has no completed event.
func (a *ordersApp) lastAttempt(orderID string) audit.Attempt {
	a.t.Helper()
	as := a.attempts(orderID)
	if len(as) == 0 {
		a.t.Fatalf("no audited attempt on order %s", orderID)
	}
	if as[0].Completed == nil {
		a.t.Fatalf("attempt %s on order %s has no completed event", as[0].AttemptID, orderID)
	}
	return as[0]
}

// fieldError is the message shown at the field named name ("" if none),
// after checking it is wired for assistive technology: the input is
// aria-invalid and its aria-describedby names the message.
func fieldError(t *testing.T, r answer, name string) string {
	t.Helper()
	field := r.doc.Find(`[data-testid="field"][data-field="` + name + `"]`)
	if field.Length() == 0 {
		t.Fatalf("no field %q in the form", name)
	}
	msg := field.Find(`[data-testid="field-error"]`)
	if msg.Length() == 0 {
		return ""
	}
	in := field.Find("input, select, textarea").First()
	if in.AttrOr("aria-invalid", "") != "true" {
		t.Errorf("field %q shows an error but is not aria-invalid", name)
	}
	if id := msg.AttrOr("id", ""); id == "" || !strings.Contains(" "+in.AttrOr("aria-describedby", "")+" ", " "+id+" ") {
		t.Errorf("field %q: error %q is not linked by aria-describedby (%q)", name, id, in.AttrOr("aria-describedby", ""))
	}
	if r.testid("error-summary").AttrOr("aria-live", "") == "" {
		t.Errorf("the error summary is not a live region")
	}
	return strings.TrimSpace(msg.Text())
}

// fieldValue is the value shown in the field named name.
func fieldValue(r answer, name string) string {
	return formOf(r).Get(name)
}

// newOrder creates an AUTHORIZED order in the sandbox: one physical line
// of amount (tax-inclusive at 19 %), shipped to addr (nil: a German
// address), bought in country.
func (a *ordersApp) newOrder(country, currency, locale string, amount int64, addr *omclient.Address) *omclient.Order {
	a.t.Helper()
	if addr == nil {
		addr = &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann", StreetAddress: "Heidestraße 17",
			PostalCode: "51147", City: "Köln", Country: omclient.Text(country), Email: "erika@example.com"}
	}
	line := omclient.OrderLine{Type: omclient.LineTypePhysical, Reference: "SKU-1", Name: "Lamp", Quantity: 1,
		UnitPrice: amount, TotalAmount: amount, TaxRate: 1900, TotalTaxAmount: money.TaxIncluded(amount, 1900)}
	id, err := a.sandbox.CreateOrder(a.t.Context(), omsim.NewOrder{PurchaseCountry: country, PurchaseCurrency: currency,
		Locale: locale, OrderAmount: amount, OrderLines: []omclient.OrderLine{line}, ShippingAddress: addr, BillingAddress: addr,
		MerchantReference1: "WEB-1001", MerchantReference2: "CRM-77",
		InitialPaymentMethod: &omclient.InitialPaymentMethod{Type: "INVOICE", Description: "Pay later"}})
	if err != nil {
		a.t.Fatal(err)
	}
	return a.sandboxOrder(id)
}

// captureDirect captures amount of the order through the pipeline, as
// another agent in another tab would.
func (a *ordersApp) captureDirect(orderID string, amount int64) string {
	a.t.Helper()
	res, err := a.service.Apply(a.t.Context(), audit.Actor{StaffID: a.staff[staff.RoleSupervisor], Email: "supervisor@example.com", Role: "supervisor"},
		orders.Change{Op: omclient.OpCreateCapture, OrderID: orderID, IdempotencyKey: uuid.NewString(), Reason: "test",
			Body: &omclient.CaptureRequest{CapturedAmount: amount}})
	if err != nil || res.Outcome != audit.OutcomeSucceeded {
		a.t.Fatalf("capture %d on %s: %v (%s)", amount, orderID, err, res.Outcome)
	}
	return res.ResourceID
}

// expectNoChange fails when the order's applied count moved from before or
// an attempt was audited since (n attempts before).
func (a *ordersApp) expectNoChange(orderID string, applied, attempts int) {
	a.t.Helper()
	if got := a.applied(orderID); got != applied {
		a.t.Errorf("order %s: the sandbox applied %d changes, want %d (nothing sent)", orderID, got, applied)
	}
	if got := len(a.attempts(orderID)); got != attempts {
		a.t.Errorf("order %s: %d audited attempts, want %d", orderID, got, attempts)
	}
}

// outcome is the outcome box of a form answer: kind, heading, code,
// correlation id.
func outcome(r answer) (kind, text, code, corr string) {
	box := r.testid("outcome")
	return box.AttrOr("data-outcome", ""), strings.Join(strings.Fields(box.Text()), " "),
		strings.TrimSpace(r.testid("outcome-code").Text()), strings.TrimSpace(r.testid("outcome-correlation-id").Text())
}
