package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

func TestAddressFormUpdatesTheShippingAddress(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	path := "/orders/" + o.OrderID + "/address"

	form := ag.get(path, nil)
	for name, want := range map[string]string{"shipping_address.city": "Köln", "shipping_address.given_name": "Erika", "shipping_address.country": "DE"} {
		if got := fieldValue(form, name); got != want {
			t.Errorf("%s prefilled with %q, want %q", name, got, want)
		}
	}
	if n := form.doc.Find(`select[name="shipping_address.country"] option`).Length(); n < 249 {
		t.Errorf("country list has %d options, want every ISO 3166-1 alpha-2 code", n)
	}
	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, map[string]string{"shipping_address.city": "Hamburg", "shipping_address.postal_code": "20095",
		"shipping_address.street_address": "Jungfernstieg 1"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.testid("error-summary").Text()+r.testid("outcome").Text())
	}
	if a.applied(o.OrderID) != applied+1 {
		t.Error("the sandbox did not apply the change")
	}
	got := a.sandboxOrder(o.OrderID).ShippingAddress
	if got.City != "Hamburg" || got.PostalCode != "20095" || got.GivenName != "Erika" || got.Email != "erika@example.com" {
		t.Errorf("address now %+v", got)
	}
	flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text()
	if !strings.Contains(flash, "city Köln → Hamburg") || !strings.Contains(flash, "postal code 51147 → 20095") {
		t.Errorf("confirmation %q", flash)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "update_customer_details" || at.Requested.Before["shipping_address.city"] != "Köln" {
		t.Errorf("requested: %s, before %v", at.Requested.Action, at.Requested.Before)
	}
	if at.Completed.Outcome != audit.OutcomeSucceeded || at.Completed.After["shipping_address.city"] != "Hamburg" {
		t.Errorf("completed: %s, after %v", at.Completed.Outcome, at.Completed.After)
	}
}

func TestAddressFormValidation(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	path := "/orders/" + o.OrderID + "/address"

	tests := []struct {
		name, field, want string
		set               map[string]string
	}{
		{"cleared given name", "shipping_address.given_name", "cannot be empty", map[string]string{"shipping_address.given_name": ""}},
		{"cleared postal code", "shipping_address.postal_code", "cannot be empty", map[string]string{"shipping_address.postal_code": "  "}},
		{"cleared country", "shipping_address.country", "cannot be empty", map[string]string{"shipping_address.country": ""}},
		{"unknown country", "shipping_address.country", "Choose a country from the list", map[string]string{"shipping_address.country": "XX"}},
		{"US without region", "shipping_address.region", "United States addresses need one", map[string]string{"shipping_address.country": "US"}},
		{"postal code too long", "shipping_address.postal_code", "At most 10 characters", map[string]string{"shipping_address.postal_code": "12345678901"}},
		{"e-mail shape", "shipping_address.email", "Must be an e-mail address", map[string]string{"shipping_address.email": "erika.example.com"}},
		{"nothing changed", "", "Nothing to send", map[string]string{}},
	}
	for _, tt := range tests {
		applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
		set := map[string]string{"shipping_address.city": "Bonn"}
		if tt.name == "nothing changed" {
			set = map[string]string{}
		}
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
		if tt.name != "nothing changed" && fieldValue(r, "shipping_address.city") != "Bonn" {
			t.Errorf("%s: the typed city was not kept", tt.name)
		}
		a.expectNoChange(o.OrderID, applied, attempts)
	}
}

// An optional field emptied on the form is cleared at the provider, which
// clears a field sent as "" (only mandatory ones cannot be cleared). The
// form used to refuse it: "the provider would keep …".
func TestAddressFormClearsOptionalFields(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, &omclient.Address{GivenName: "Erika", FamilyName: "Mustermann",
		StreetAddress: "Heidestraße 17", StreetAddress2: "Bâtiment B", PostalCode: "51147", City: "Köln", Country: "DE",
		Email: "erika@example.com", Phone: "+49 221 1234567"})
	path := "/orders/" + o.OrderID + "/address"
	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, map[string]string{"shipping_address.street_address2": "", "shipping_address.phone": " "}), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.testid("error-summary").Text()+r.body)
	}
	if a.applied(o.OrderID) != applied+1 {
		t.Fatal("the sandbox did not apply the change")
	}
	got := a.sandboxOrder(o.OrderID).ShippingAddress
	if got.StreetAddress2 != "" || got.Phone != "" || got.Email != "erika@example.com" || got.City != "Köln" {
		t.Errorf("address now %+v: the emptied fields must be cleared, the others kept", got)
	}
	at := a.lastAttempt(o.OrderID)
	if !strings.Contains(string(at.Requested.Request), `"street_address2":""`) || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("the audit log must show the field sent empty: %s (%s)", at.Requested.Request, at.Completed.Outcome)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "Bâtiment B →") {
		t.Errorf("confirmation %q does not name the cleared field", flash)
	}
}

func TestAddressFormProviderRefusal(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 14997, nil)
	path := "/orders/" + o.OrderID + "/address"
	v := ag.fill(path, map[string]string{"shipping_address.country": "FR", "shipping_address.city": "Paris", "shipping_address.postal_code": "75001"})

	r := ag.post(path, v, nil)
	if r.resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("refused submit: %d", r.resp.StatusCode)
	}
	kind, text, code, corr := outcome(r)
	if kind != "refused" || code != string(omclient.CodeInvalidAddress) || corr == "" || !strings.Contains(text, "shipping country must be DE") {
		t.Errorf("outcome %q code %q correlation %q: %q", kind, code, corr, text)
	}
	back := formOf(r)
	if back.Get("idempotency_key") == v.Get("idempotency_key") {
		t.Error("a refused change must get a new idempotency key")
	}
	if back.Get("shipping_address.city") != "Paris" {
		t.Error("the typed values were not kept")
	}
	at := a.lastAttempt(o.OrderID)
	if at.Completed.Outcome != audit.OutcomeRefused || at.Completed.ErrorCode != string(omclient.CodeInvalidAddress) || at.Completed.CorrelationID != corr {
		t.Errorf("completed event: %s %s %s", at.Completed.Outcome, at.Completed.ErrorCode, at.Completed.CorrelationID)
	}
	if a.sandboxOrder(o.OrderID).ShippingAddress.City != "Köln" {
		t.Error("the refused address was applied")
	}
}

func TestAddressFormUSRegion(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("US", "USD", "en-US", 5000, &omclient.Address{GivenName: "Jane", FamilyName: "Doe",
		StreetAddress: "1 Main St", PostalCode: "10001", City: "New York", Region: "NY", Country: "US"})
	path := "/orders/" + o.OrderID + "/address"

	r := ag.post(path, ag.fill(path, map[string]string{"shipping_address.region": ""}), nil)
	if msg := fieldError(t, r, "shipping_address.region"); !strings.Contains(msg, "state or region") {
		t.Errorf("clearing a US region: %q", msg)
	}
	r = ag.post(path, ag.fill(path, map[string]string{"shipping_address.region": "NJ", "shipping_address.city": "Newark", "shipping_address.postal_code": "07102"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.resp.StatusCode)
	}
	if got := a.sandboxOrder(o.OrderID).ShippingAddress; got.Region != "NJ" || got.City != "Newark" {
		t.Errorf("address now %+v", got)
	}
}
