package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/staff"
)

// Behaviour every change form shares (form.go), tried on the F1 forms.

// f1FormPaths are the F1 form URLs of an order with one capture.
func f1FormPaths(orderID, captureID string) []string {
	o := "/orders/" + orderID
	c := o + "/captures/" + captureID
	return []string{o + "/address", o + "/references", o + "/shipping-info", o + "/cancel", o + "/extend",
		o + "/release", o + "/acknowledge", c + "/shipping-info", c + "/send-out", c + "/due-date"}
}

func TestFormsForbiddenToAuditor(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{provider: omclient.ProviderKlarna})
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	capID := a.captureDirect(o.OrderID, 4000)
	auditor := a.signedIn(staff.RoleAuditor)
	agent := a.signedIn(staff.RoleAgent)
	// The auditor needs a CSRF token for the POSTs to reach the role
	// check; it is the same for the whole session.
	tok := auditor.get("/orders/"+o.OrderID, nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	applied := a.applied(o.OrderID)
	attempts := len(a.attempts(o.OrderID))

	for _, p := range f1FormPaths(o.OrderID, capID) {
		if r := auditor.get(p, nil); r.resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor GET %s: %d, want 403", p, r.resp.StatusCode)
		}
		form := url.Values{"_csrf": {tok}, "reason": {"customer_request"}}
		if r := auditor.post(p, form, nil); r.resp.StatusCode != http.StatusForbidden {
			t.Errorf("auditor POST %s: %d, want 403", p, r.resp.StatusCode)
		}
		// The same URLs open for an agent (the route exists; 200 or the
		// "not possible" answer when the state does not allow it).
		if r := agent.get(p, nil); r.resp.StatusCode != http.StatusOK && r.resp.StatusCode != http.StatusConflict {
			t.Errorf("agent GET %s: %d", p, r.resp.StatusCode)
		}
	}
	a.expectNoChange(o.OrderID, applied, attempts)
}

func TestFormOpensInPlaceWithHTMX(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)

	page := ag.get("/orders/"+o.OrderID, nil)
	if page.doc.Find("#order-page #order-form").Length() != 1 {
		t.Fatal("the order page has no #order-form panel inside #order-page")
	}
	link := page.doc.Find(`#order-actions a[data-action="update_merchant_references"]`)
	if link.AttrOr("hx-get", "") != "/orders/"+o.OrderID+"/references" || link.AttrOr("hx-target", "") != "#order-form" {
		t.Errorf("action link hx-get %q hx-target %q", link.AttrOr("hx-get", ""), link.AttrOr("hx-target", ""))
	}
	frag := ag.get("/orders/"+o.OrderID+"/references", htmxHeaders(a, o.OrderID))
	if strings.Contains(frag.body, "<html") || frag.testid("form").Length() != 1 {
		t.Errorf("htmx GET of a form should be the panel alone: %.300s", frag.body)
	}
	if got := frag.doc.Find("form").AttrOr("hx-target", ""); got != "#order-form" {
		t.Errorf("form posts into %q, want #order-form", got)
	}
	full := ag.get("/orders/"+o.OrderID+"/references", nil)
	if full.doc.Find("#order-page #order-form form").Length() != 1 || full.testid("back-to-order").Length() != 1 {
		t.Error("the form's own page lacks the #order-page/#order-form frame or the way back")
	}
}

func TestFormHTMXSuccessRefreshesTheOrderPage(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/references"

	r := ag.post(path, ag.fill(path, map[string]string{"merchant_reference2": "CRM-99"}), htmxHeaders(a, o.OrderID))
	if r.resp.StatusCode != http.StatusOK {
		t.Fatalf("htmx submit: %d: %.300s", r.resp.StatusCode, r.body)
	}
	h := r.resp.Header
	if h.Get("HX-Retarget") != "#order-page" || h.Get("HX-Reswap") != "outerHTML" || h.Get("HX-Push-Url") != "/orders/"+o.OrderID {
		t.Errorf("headers: retarget %q reswap %q push %q", h.Get("HX-Retarget"), h.Get("HX-Reswap"), h.Get("HX-Push-Url"))
	}
	if r.doc.Find("div#order-page").Length() != 1 || strings.Contains(r.body, "<html") {
		t.Errorf("the answer should be the order page content: %.300s", r.body)
	}
	if got := r.testid("merchant-reference2").Text(); got != "CRM-99" {
		t.Errorf("refreshed page shows reference 2 %q, want CRM-99", got)
	}
	if flash := r.doc.Find("#order-flash").Text(); !strings.Contains(flash, "reference 2 CRM-77 → CRM-99") {
		t.Errorf("confirmation %q", flash)
	}
}

func TestFormRefusesDamagedHiddenFieldsAndReasons(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/references"

	tests := []struct {
		name  string
		set   map[string]string
		field string // "" = summary
		want  string
	}{
		{"forged expected", map[string]string{"expected": "v1.AUTHORIZED.10000.0.0.0.9x"}, "", "record of the order's state was missing or damaged"},
		{"expected with a sign", map[string]string{"expected": "v1.AUTHORIZED.+10000.0.0.0.0"}, "", "missing or damaged"},
		{"expected of an unknown status", map[string]string{"expected": "v1.SHIPPED.10000.0.0.0.0"}, "", "missing or damaged"},
		{"forged key", map[string]string{"idempotency_key": "1; DROP TABLE"}, "", "request key was missing or damaged"},
		{"uuid v1 key", map[string]string{"idempotency_key": "2c5ea4c0-4067-11e9-8bad-9b1deb4d3b7d"}, "", "request key"},
		{"forged reason", map[string]string{"reason": "because"}, "reason", "Choose a reason from the list"},
		{"no reason", map[string]string{"reason": ""}, "reason", "Choose why"},
		{"other without text", map[string]string{"reason": "other", "reason_other": ""}, "reason_other", "Say why"},
		{"long ticket", map[string]string{"ticket": strings.Repeat("Z", 65)}, "ticket", "At most 64 characters"},
	}
	for _, tt := range tests {
		applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
		set := map[string]string{"merchant_reference1": "WEB-TYPED"}
		for k, v := range tt.set {
			set[k] = v
		}
		r := ag.post(path, ag.fill(path, set), nil)
		if r.resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, r.resp.StatusCode)
		}
		msg := r.testid("error-summary").Text()
		if tt.field != "" {
			msg = fieldError(t, r, tt.field)
		}
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%s: message %q, want %q", tt.name, msg, tt.want)
		}
		if got := fieldValue(r, "merchant_reference1"); got != "WEB-TYPED" {
			t.Errorf("%s: typed value lost (%q)", tt.name, got)
		}
		back := formOf(r)
		if !mintedKey(back.Get("idempotency_key")) || back.Get("expected") != "v1.AUTHORIZED.10000.0.0.0.0" {
			t.Errorf("%s: the form came back with key %q and expected %q", tt.name, back.Get("idempotency_key"), back.Get("expected"))
		}
		a.expectNoChange(o.OrderID, applied, attempts)
	}

	// "Other" with its text is stored as "Other: <text>".
	r := ag.post(path, ag.fill(path, map[string]string{"merchant_reference1": "WEB-3", "reason": "other", "reason_other": "Shop migration"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit with reason other: %d", r.resp.StatusCode)
	}
	if got := a.lastAttempt(o.OrderID).Requested.Reason; got != "Other: Shop migration" {
		t.Errorf("reason stored as %q", got)
	}
}

// mintedKey: forms mint UUID v7 keys.
func mintedKey(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && u.Version() == 7 && u.String() == s
}

func TestFormStaleAfterACaptureInAnotherTab(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/references"

	v := ag.fill(path, map[string]string{"merchant_reference1": "WEB-STALE"})
	a.captureDirect(o.OrderID, 2500) // another tab
	applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))

	r := ag.post(path, v, nil)
	if r.resp.StatusCode != http.StatusConflict {
		t.Fatalf("stale submit: %d, want 409", r.resp.StatusCode)
	}
	kind, text, _, _ := outcome(r)
	if kind != "stale" || !strings.Contains(text, "The order changed since you opened this form") {
		t.Errorf("outcome %q: %q", kind, text)
	}
	a.expectNoChange(o.OrderID, applied, attempts)
	back := formOf(r)
	if back.Get("merchant_reference1") != "WEB-STALE" || back.Get("idempotency_key") != v.Get("idempotency_key") {
		t.Errorf("stale form lost the typed value or its key: %v", back)
	}
	if back.Get("expected") != "v1.PART_CAPTURED.10000.2500.0.1.0" {
		t.Errorf("stale form carries expected %q, want the fresh state", back.Get("expected"))
	}
	back.Set("reason", "customer_request")
	if r := ag.post(path, back, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Errorf("resubmit after stale: %d", r.resp.StatusCode)
	}
	if got := a.sandboxOrder(o.OrderID).MerchantReference1; got != "WEB-STALE" {
		t.Errorf("reference 1 %q after the resubmit", got)
	}
}

func TestFormDoubleSubmitSendsOnce(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/references"
	v := ag.fill(path, map[string]string{"merchant_reference1": "WEB-TWICE"})
	applied := a.applied(o.OrderID)

	first := ag.post(path, v, nil)
	second := ag.post(path, v, nil) // browser resubmit: same key, same values
	if first.resp.StatusCode != http.StatusSeeOther || second.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("statuses %d, %d", first.resp.StatusCode, second.resp.StatusCode)
	}
	if got := a.applied(o.OrderID); got != applied+1 {
		t.Errorf("applied %d changes, want exactly one more than %d", got, applied)
	}
	if n := len(a.attempts(o.OrderID)); n != 1 {
		t.Errorf("%d attempts audited, want 1", n)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "already been submitted") {
		t.Errorf("second confirmation %q does not say nothing was sent again", flash)
	}
}

func TestFormNotOfferedInThisState(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	a.captureDirect(o.OrderID, 10000)
	applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))

	for _, tt := range []struct{ path, want string }{
		{"/cancel", "Cancel: not possible, the order has captures"},
		{"/release", "Release remaining authorization: not possible, the order is fully captured"},
		{"/address", "Update shipping address: not possible, the order is fully captured"},
	} {
		path := "/orders/" + o.OrderID + tt.path
		for _, r := range []answer{ag.get(path, nil), ag.post(path, url.Values{"_csrf": {csrfOf(ag, o.OrderID)}, "reason": {"goodwill"}}, nil)} {
			if r.resp.StatusCode != http.StatusConflict || !strings.Contains(r.testid("form-disallowed").Text(), tt.want) {
				t.Errorf("%s %s: %d %q, want 409 with %q", r.resp.Request.Method, tt.path, r.resp.StatusCode, r.testid("form-disallowed").Text(), tt.want)
			}
			if r.doc.Find("form[data-testid=change-form]").Length() != 0 {
				t.Errorf("%s: a disallowed action still shows its form", tt.path)
			}
		}
	}
	a.expectNoChange(o.OrderID, applied, attempts)
	// A capture action of another order's capture is not found.
	other := a.newOrder("DE", "EUR", "de-DE", 1000, nil)
	if r := ag.get("/orders/"+other.OrderID+"/captures/not-a-capture/shipping-info", nil); r.resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown capture: %d, want 404", r.resp.StatusCode)
	}
}

// csrfOf harvests the session's CSRF token from the order page.
func csrfOf(ag *agent, orderID string) string {
	return ag.get("/orders/"+orderID, nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
}

func TestFormUnknownOutcomeKeepsTheKeyAndResubmitsSafely(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/references"
	v := ag.fill(path, map[string]string{"merchant_reference1": "WEB-UNKNOWN"})
	// The provider applies the change and the connection drops, on the
	// first try and on the client's retry: nobody knows what happened.
	a.sandbox.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{{Method: http.MethodPatch, PathContains: "/merchant-references", Kind: omsim.FaultResetAfterApply, Times: 2}}})

	r := ag.post(path, v, nil)
	kind, text, _, _ := outcome(r)
	if r.resp.StatusCode != http.StatusBadGateway || kind != "unknown" || !strings.Contains(text, "It is safe to submit again: the same request key is reused") {
		t.Fatalf("unknown outcome: %d %q %q", r.resp.StatusCode, kind, text)
	}
	back := formOf(r)
	if back.Get("idempotency_key") != v.Get("idempotency_key") || back.Get("merchant_reference1") != "WEB-UNKNOWN" {
		t.Errorf("the form came back with another key or without the typed value: %v", back)
	}
	if at := a.lastAttempt(o.OrderID); at.Completed.Outcome != audit.OutcomeUnknown {
		t.Errorf("completed outcome %s, want unknown", at.Completed.Outcome)
	}

	back.Set("reason", "customer_request")
	if r := ag.post(path, back, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("resubmit: %d", r.resp.StatusCode)
	}
	if got := a.applied(o.OrderID); got != 1 {
		t.Errorf("the sandbox applied %d changes, want exactly 1", got)
	}
	if at := a.lastAttempt(o.OrderID); at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("the resubmit ended %s", at.Completed.Outcome)
	}
}

// Each action offers reasons that fit it: a capture "Shipped in full", a
// cancel "Suspected fraud", not one refund-style list for every action; a
// reason of another action's list is refused like a forged one.
func TestReasonsFitTheAction(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	options := func(path string) []string {
		var out []string
		ag.get(path, nil).doc.Find(`select[name="reason"] option`).Each(func(_ int, s *goquery.Selection) {
			if v := s.AttrOr("value", ""); v != "" {
				out = append(out, v)
			}
		})
		return out
	}
	capture := options("/orders/" + o.OrderID + "/capture")
	cancel := options("/orders/" + o.OrderID + "/cancel")
	if !slices.Contains(capture, "shipped") || slices.Contains(capture, "goods_returned") {
		t.Errorf("capture reasons %v: want shipping reasons, not returns", capture)
	}
	if !slices.Contains(cancel, "suspected_fraud") || slices.Contains(cancel, "shipped") {
		t.Errorf("cancel reasons %v", cancel)
	}
	for _, list := range [][]string{capture, cancel} {
		if len(list) == 0 || list[len(list)-1] != "other" || !slices.Contains(list, "customer_request") {
			t.Errorf("reasons %v: want customer request and, last, other", list)
		}
	}
	path := "/orders/" + o.OrderID + "/cancel"
	applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
	r := ag.post(path, ag.fill(path, map[string]string{"reason": "goods_returned"}), nil)
	if msg := fieldError(t, r, "reason"); !strings.Contains(msg, "Choose a reason from the list") {
		t.Errorf("a refund reason on a cancel: %d %q", r.resp.StatusCode, msg)
	}
	a.expectNoChange(o.OrderID, applied, attempts)
}
