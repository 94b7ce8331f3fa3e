package handlers_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

func TestShippingInfoFormAddsEntries(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/shipping-info"
	applied := a.applied(o.OrderID)

	// "Add another entry" re-renders with a second row, keeping the first
	// row's values, without any API call.
	v := ag.fill(path, map[string]string{"shipping_info[0].shipping_company": "DHL", "shipping_info[0].tracking_number": "00340434"})
	v.Set("add_entry", "1")
	r := ag.post(path, v, nil)
	if r.resp.StatusCode != http.StatusOK || r.testid("entry").Length() != 2 {
		t.Fatalf("add entry: %d with %d rows, want 200 with 2", r.resp.StatusCode, r.testid("entry").Length())
	}
	if fieldValue(r, "shipping_info[0].shipping_company") != "DHL" || r.testid("field-error").Length() != 0 {
		t.Error("adding a row lost the first row or showed messages")
	}
	a.expectNoChange(o.OrderID, applied, 0)

	v = formOf(r)
	v.Set("reason", "customer_request")
	v.Set("shipping_info[1].shipping_company", "UPS")
	v.Set("shipping_info[1].shipping_method", "PickUpPoint")
	v.Set("shipping_info[1].tracking_uri", "https://ups.example/track?n=1Z999")
	r = ag.post(path, v, nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	got := a.sandboxOrder(o.OrderID).ShippingInfo
	if len(got) != 2 || got[0].ShippingCompany != "DHL" || got[1].ShippingMethod != "PickUpPoint" || got[1].TrackingURI != "https://ups.example/track?n=1Z999" {
		t.Errorf("shipping info now %+v", got)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "DHL, tracking 00340434 (and 1 more entry)") {
		t.Errorf("confirmation %q", flash)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Before["shipping_info"] != "0" || at.Completed.After["shipping_info"] != "2" || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("before %v after %v outcome %s", at.Requested.Before, at.Completed.After, at.Completed.Outcome)
	}
}

func TestShippingInfoFormRemoveEntry(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/shipping-info"

	v := ag.fill(path, nil)
	v.Set("entries", "3")
	for i, c := range []string{"A", "B", "C"} {
		v.Set("shipping_info["+strconv.Itoa(i)+"].shipping_company", c)
	}
	v.Set("remove_entry", "1")
	r := ag.post(path, v, nil)
	if r.testid("entry").Length() != 2 || fieldValue(r, "shipping_info[0].shipping_company") != "A" || fieldValue(r, "shipping_info[1].shipping_company") != "C" {
		t.Errorf("after removing entry 2: %d rows, %q, %q", r.testid("entry").Length(),
			fieldValue(r, "shipping_info[0].shipping_company"), fieldValue(r, "shipping_info[1].shipping_company"))
	}
	if a.applied(o.OrderID) != 0 {
		t.Error("removing a row called the provider")
	}
}

func TestShippingInfoFormValidation(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	path := "/orders/" + o.OrderID + "/shipping-info"

	many := map[string]string{"entries": "501"}
	for i := range 501 {
		many["shipping_info["+strconv.Itoa(i)+"].tracking_number"] = "T" + strconv.Itoa(i)
	}
	tests := []struct {
		name, field, want string
		set               map[string]string
	}{
		{"javascript URI", "shipping_info[0].tracking_uri", "starting with https:// or http://", map[string]string{"shipping_info[0].tracking_uri": "javascript:alert(1)"}},
		{"ftp URI", "shipping_info[0].return_tracking_uri", "https:// or http://", map[string]string{"shipping_info[0].return_tracking_uri": "ftp://x.example/1"}},
		{"relative URI", "shipping_info[0].tracking_uri", "https:// or http://", map[string]string{"shipping_info[0].tracking_uri": "/track/1"}},
		{"unknown method", "shipping_info[0].shipping_method", "Choose a method from the list", map[string]string{"shipping_info[0].shipping_method": "Drone"}},
		{"method in the wrong case", "shipping_info[0].shipping_method", "Choose a method", map[string]string{"shipping_info[0].shipping_method": "home"}},
		{"company too long", "shipping_info[0].shipping_company", "At most 100 characters", map[string]string{"shipping_info[0].shipping_company": strings.Repeat("D", 101)}},
		{"empty entry", "shipping_info[0].shipping_company", "This entry is empty", map[string]string{"shipping_info[0].tracking_number": ""}},
		{"501 entries", "", "At most 500 entries in one submit (this form has 501)", many},
	}
	for _, tt := range tests {
		applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
		set := map[string]string{"shipping_info[0].tracking_number": "KEEP-ME"}
		for k, v := range tt.set {
			set[k] = v
		}
		r := ag.post(path, ag.fill(path, set), nil)
		if r.resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, r.resp.StatusCode)
		}
		var msg string
		if tt.field != "" {
			msg = fieldError(t, r, tt.field)
			// A value that is not in a select's list cannot be shown
			// again; the select falls back to "Choose…".
			if got := fieldValue(r, tt.field); got != strings.TrimSpace(set[tt.field]) && !strings.HasSuffix(tt.field, "shipping_method") {
				t.Errorf("%s: typed value %q not kept (%q)", tt.name, set[tt.field], got)
			}
		} else {
			msg = r.testid("entries-error").Text()
			if r.testid("entry").Length() != 501 || fieldValue(r, "shipping_info[500].tracking_number") != "T500" {
				t.Errorf("%s: the 501 typed rows were not kept", tt.name)
			}
		}
		if !strings.Contains(msg, tt.want) {
			t.Errorf("%s: message %q, want %q", tt.name, msg, tt.want)
		}
		a.expectNoChange(o.OrderID, applied, attempts)
	}
}

func TestCaptureShippingInfoForm(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	capID := a.captureDirect(o.OrderID, 6000)
	path := "/orders/" + o.OrderID + "/captures/" + capID + "/shipping-info"

	// The capture's action on the order page links here.
	page := ag.get("/orders/"+o.OrderID, nil)
	if href := page.doc.Find(`[data-capture-id="`+capID+`"] a[data-action="add_capture_shipping_info"]`).AttrOr("href", ""); href != path {
		t.Errorf("capture action links %q, want %q", href, path)
	}
	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, map[string]string{"shipping_info[0].shipping_company": "DPD",
		"shipping_info[0].tracking_uri": "http://dpd.example/t/55"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.testid("error-summary").Text())
	}
	if a.applied(o.OrderID) != applied+1 {
		t.Error("not applied")
	}
	c := a.sandboxOrder(o.OrderID).Captures[0]
	if len(c.ShippingInfo) != 1 || c.ShippingInfo[0].ShippingCompany != "DPD" {
		t.Errorf("capture shipping info %+v", c.ShippingInfo)
	}
	if len(a.sandboxOrder(o.OrderID).ShippingInfo) != 0 {
		t.Error("the entry went to the order instead of the capture")
	}
	at := a.lastAttempt(o.OrderID)
	key := "captures[" + capID + "].shipping_info"
	if at.Requested.Action != "add_capture_shipping_info" || at.Requested.Before[key] != "0" || at.Completed.After[key] != "1" {
		t.Errorf("attempt %s before %v after %v", at.Requested.Action, at.Requested.Before, at.Completed.After)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "Shipping info added to capture") {
		t.Errorf("confirmation %q", flash)
	}
}
