package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

func TestSendOutFormOnKlarna(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{provider: omclient.ProviderKlarna})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	capID := a.captureDirect(o.OrderID, 10000)
	path := "/orders/" + o.OrderID + "/captures/" + capID + "/send-out"

	form := ag.get(path, nil)
	if q := form.testid("confirm-question").Text(); !strings.Contains(q, "invoice of capture "+string(o.KlarnaReference)+"-1") {
		t.Errorf("confirmation %q does not name the capture", q)
	}
	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, nil), nil)
	if r.resp.StatusCode != http.StatusSeeOther || a.applied(o.OrderID) != applied+1 {
		t.Fatalf("submit: %d, applied %d (was %d)", r.resp.StatusCode, a.applied(o.OrderID), applied)
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "trigger_send_out" || at.Requested.Detail["capture_id"] != capID || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("attempt %s detail %v outcome %s", at.Requested.Action, at.Requested.Detail, at.Completed.Outcome)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "sent to the customer again") {
		t.Errorf("confirmation %q", flash)
	}
}

func TestDueDateFormOnKlarna(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{provider: omclient.ProviderKlarna})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil) // paid by INVOICE
	capID := a.captureDirect(o.OrderID, 10000)
	path := "/orders/" + o.OrderID + "/captures/" + capID + "/due-date"

	form := ag.get(path, nil)
	var offered []string
	form.testid("due-date-option").Each(func(_ int, s *goquery.Selection) { offered = append(offered, s.Text()) })
	if len(offered) != 2 || !strings.Contains(offered[0], "14 days, fee 2,95") || !strings.Contains(offered[1], "30 days, fee 4,95") {
		t.Errorf("offered %q, want the sandbox's 14 and 30 days with fees", offered)
	}

	// A number of days not on offer, and none at all: message at the
	// field, nothing sent.
	for _, days := range []string{"15", "", "14; DROP"} {
		applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
		r := ag.post(path, ag.fill(path, map[string]string{"number_of_days": days}), nil)
		if r.resp.StatusCode != http.StatusUnprocessableEntity || fieldError(t, r, "number_of_days") == "" {
			t.Errorf("days %q: %d without a message at the field", days, r.resp.StatusCode)
		}
		a.expectNoChange(o.OrderID, applied, attempts)
	}

	applied := a.applied(o.OrderID)
	r := ag.post(path, ag.fill(path, map[string]string{"number_of_days": "14"}), nil)
	if r.resp.StatusCode != http.StatusSeeOther || a.applied(o.OrderID) != applied+1 {
		t.Fatalf("submit: %d: %s", r.resp.StatusCode, r.testid("error-summary").Text()+r.testid("outcome").Text())
	}
	at := a.lastAttempt(o.OrderID)
	if at.Requested.Action != "extend_due_date" || string(at.Requested.Request) != `{"number_of_days":14}` || at.Completed.Outcome != audit.OutcomeSucceeded {
		t.Errorf("attempt %s body %s outcome %s", at.Requested.Action, at.Requested.Request, at.Completed.Outcome)
	}
	if flash := ag.get("/orders/"+o.OrderID, nil).testid("flash").Text(); !strings.Contains(flash, "extended by 14 days, fee 2,95") {
		t.Errorf("confirmation %q", flash)
	}
	// Extended once: the provider offers nothing more, the form says so.
	again := ag.get(path, nil)
	if again.resp.StatusCode != http.StatusConflict || !strings.Contains(again.testid("form-disallowed").Text(), "offers no extension") {
		t.Errorf("second visit: %d %q", again.resp.StatusCode, again.testid("form-disallowed").Text())
	}
}

func TestKlarnaOnlyCaptureActionsAbsentOnKustom(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)
	o := a.newOrder("DE", "EUR", "de-DE", 10000, nil)
	capID := a.captureDirect(o.OrderID, 5000)
	applied, attempts := a.applied(o.OrderID), len(a.attempts(o.OrderID))
	for _, slug := range []string{"send-out", "due-date"} {
		path := "/orders/" + o.OrderID + "/captures/" + capID + "/" + slug
		if r := ag.get(path, nil); r.resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s on Kustom: %d, want 404", slug, r.resp.StatusCode)
		}
		v := ag.fill("/orders/"+o.OrderID+"/captures/"+capID+"/shipping-info", nil)
		if r := ag.post(path, v, nil); r.resp.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s on Kustom: %d, want 404", slug, r.resp.StatusCode)
		}
	}
	a.expectNoChange(o.OrderID, applied, attempts)
}
