package handlers_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

func TestReferencesFormChangesOneAndLeavesTheOtherUnsent(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	path := "/orders/" + o.OrderID + "/references"

	form := ag.get(path, nil)
	if form.resp.StatusCode != http.StatusOK {
		t.Fatalf("GET form: %d", form.resp.StatusCode)
	}
	if got := fieldValue(form, "merchant_reference1"); got != "WEB-1001" {
		t.Errorf("reference 1 prefilled with %q, want the order's WEB-1001", got)
	}
	before := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, map[string]string{"merchant_reference1": "WEB-2002", "ticket": "ZD-1"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/orders/"+o.OrderID {
		t.Fatalf("submit: %d to %q, want 303 to the order page: %s", r.resp.StatusCode, r.resp.Header.Get("Location"), r.body)
	}
	if got := a.applied(o.OrderID); got != before+1 {
		t.Errorf("sandbox applied %d changes, want %d", got, before+1)
	}
	now := a.sandboxOrder(o.OrderID)
	if now.MerchantReference1 != "WEB-2002" || now.MerchantReference2 != "CRM-77" {
		t.Errorf("references now %q, %q; want WEB-2002, CRM-77", now.MerchantReference1, now.MerchantReference2)
	}
	page := ag.get("/orders/"+o.OrderID, nil)
	if flash := page.testid("flash").Text(); !strings.Contains(flash, "reference 1 WEB-1001 → WEB-2002") {
		t.Errorf("confirmation %q does not name the change", flash)
	}

	at := a.lastAttempt(o.OrderID)
	req := at.Requested
	if req.Action != "update_merchant_references" || req.Reason != "Customer request" || req.Ticket != "ZD-1" || req.Actor.Role != "agent" {
		t.Errorf("requested event: action %q reason %q ticket %q role %q", req.Action, req.Reason, req.Ticket, req.Actor.Role)
	}
	var body map[string]any
	if err := json.Unmarshal(req.Request, &body); err != nil {
		t.Fatal(err)
	}
	if _, sent := body["merchant_reference2"]; sent || body["merchant_reference1"] != "WEB-2002" {
		t.Errorf("request body %s: want only merchant_reference1 (the untouched field is not sent)", req.Request)
	}
	if req.Before["merchant_reference1"] != "WEB-1001" || at.Completed.Outcome != audit.OutcomeSucceeded || at.Completed.After["merchant_reference1"] != "WEB-2002" {
		t.Errorf("before %v, outcome %s, after %v", req.Before, at.Completed.Outcome, at.Completed.After)
	}
}

func TestReferencesFormEmptyFieldClears(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 5000, nil)
	path := "/orders/" + o.OrderID + "/references"

	v := ag.fill(path, nil)
	v.Set("merchant_reference2", "")
	r := ag.post(path, v, nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.body)
	}
	now := a.sandboxOrder(o.OrderID)
	if now.MerchantReference2 != "" || now.MerchantReference1 != "WEB-1001" {
		t.Errorf("references now %q, %q; want WEB-1001 and reference 2 cleared", now.MerchantReference1, now.MerchantReference2)
	}
	var body map[string]any
	_ = json.Unmarshal(a.lastAttempt(o.OrderID).Requested.Request, &body)
	if v, sent := body["merchant_reference2"]; !sent || v != "" {
		t.Errorf("request %v: want merchant_reference2 sent as \"\"", body)
	}
}

func TestReferencesFormValidation(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 5000, nil)
	path := "/orders/" + o.OrderID + "/references"
	long := strings.Repeat("x", 300)

	tests := []struct {
		name, field, want string
		set               map[string]string
	}{
		{"300 characters", "merchant_reference1", "At most 255 characters (you typed 300)", map[string]string{"merchant_reference1": long}},
		{"line break", "merchant_reference2", "printable", map[string]string{"merchant_reference2": "a\nb"}},
		{"nothing changed", "", "Nothing to send", map[string]string{}},
	}
	for _, tt := range tests {
		applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
		r := ag.post(path, ag.fill(path, tt.set), nil)
		if r.resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, r.resp.StatusCode)
		}
		got := r.testid("error-summary").Text()
		if tt.field != "" {
			got = fieldError(t, r, tt.field)
			if typed := fieldValue(r, tt.field); typed != strings.TrimSpace(tt.set[tt.field]) {
				t.Errorf("%s: the typed value was not kept (%q)", tt.name, typed)
			}
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: message %q, want %q", tt.name, got, tt.want)
		}
		a.expectNoChange(o.OrderID, applied, attempts)
	}
}
