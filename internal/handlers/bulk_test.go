package handlers_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/bulk"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// authorizedOrders are n demo orders still authorized in full.
func (a *ordersApp) authorizedOrders(n int) []string {
	a.t.Helper()
	var ids []string
	for _, o := range a.allDemoOrders() {
		if o.Status == omclient.StatusAuthorized && o.CapturedAmount == 0 && len(ids) < n {
			ids = append(ids, o.OrderID)
		}
	}
	if len(ids) < n {
		a.t.Fatalf("only %d authorized demo orders", len(ids))
	}
	return ids
}

// runBulk runs the stored jobs to the end.
func (a *ordersApp) runBulk() {
	a.t.Helper()
	for {
		did, err := a.bulk.RunOnce(a.t.Context())
		if err != nil {
			a.t.Fatal(err)
		}
		if !did {
			return
		}
	}
}

// confirmBulk posts the list's bulk form for the ticked ids.
func (ag *agent) confirmBulk(op omclient.Operation, ids ...string) answer {
	ag.a.t.Helper()
	form := url.Values{"_csrf": {ag.csrfToken()}, "op": {string(op)}, "scope": {"ticked"}, "order": ids}
	return ag.post("/orders/bulk", form, nil)
}

func TestBulkExtendOfTickedOrders(t *testing.T) {
	a := newOrdersApp(t, ordersAppOpts{bulk: &bulk.Limits{}})
	ag := a.signedIn(staff.RoleAgent)
	ids := a.authorizedOrders(2)

	list := ag.get("/orders?status=AUTHORIZED", nil)
	if n := list.testid("bulk-tick").Length(); n == 0 || list.testid("bulk-form").Length() != 1 {
		t.Fatalf("the list offers %d checkboxes and %d bulk forms", n, list.testid("bulk-form").Length())
	}
	if r := a.signedIn(staff.RoleAuditor).get("/orders?status=AUTHORIZED", nil); r.testid("bulk-tick").Length() != 0 || r.testid("bulk-form").Length() != 0 {
		t.Error("the auditor is offered bulk changes")
	}

	conf := ag.confirmBulk(omclient.OpExtendAuthorizationTime, ids...)
	if conf.resp.StatusCode != http.StatusOK {
		t.Fatalf("confirmation: %d %s", conf.resp.StatusCode, conf.body)
	}
	if got := conf.testid("bulk-count").Text(); got != "2" {
		t.Errorf("confirmation names %q orders; want 2", got)
	}
	if got := conf.testid("bulk-totals").Text(); !strings.Contains(got, " ") {
		t.Errorf("confirmation totals %q", got)
	}
	for _, id := range ids {
		if a.applied(id) != 0 {
			t.Fatal("the confirmation sent something")
		}
	}
	form := url.Values{}
	conf.doc.Find(`form[data-testid="bulk-start-form"] input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
		form.Add(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	// Without a reason: the message at the field, nothing started.
	r := ag.post("/bulk", form, nil)
	if r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.testid("field-error").Text(), "Choose why") {
		t.Fatalf("without a reason: %d, %q", r.resp.StatusCode, r.testid("field-error").Text())
	}
	form.Set("reason", "customer_request")
	form.Set("ticket", "ZD-1")
	r = ag.post("/bulk", form, nil)
	loc := r.resp.Header.Get("Location")
	if r.resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/bulk/") {
		t.Fatalf("start: %d %q %s", r.resp.StatusCode, loc, r.body)
	}
	// The same confirmation again starts nothing more.
	if again := ag.post("/bulk", form, nil); again.resp.Header.Get("Location") != loc {
		t.Errorf("a double submit went to %q", again.resp.Header.Get("Location"))
	}
	page := ag.get(loc, nil)
	if page.testid("bulk-item").Length() != 2 || page.testid("bulk-progress").AttrOr("hx-trigger", "") != "every 1s" {
		t.Fatalf("job page before running: %d items, polling %q", page.testid("bulk-item").Length(), page.testid("bulk-progress").AttrOr("hx-trigger", ""))
	}
	a.runBulk()
	prog := ag.get(loc+"/progress", http.Header{"Hx-Request": {"true"}})
	if prog.testid("bulk-progress").AttrOr("data-finished", "") != "true" || prog.testid("bulk-progress").AttrOr("hx-trigger", "") != "" {
		t.Errorf("finished job still polls: %s", prog.body)
	}
	prog.testid("bulk-item").Each(func(_ int, s *goquery.Selection) {
		if s.AttrOr("data-state", "") != string(bulk.StateSent) {
			t.Errorf("order %s: %s", s.AttrOr("data-order-id", ""), s.Text())
		}
	})
	for _, id := range ids {
		if n := a.applied(id); n != 1 {
			t.Errorf("order %s applied %d times; want once", id, n)
		}
		if at := a.lastAttempt(id); at.Requested.Ticket != "ZD-1" || at.Requested.Actor.Role != "agent" {
			t.Errorf("attempt: %+v", at.Requested)
		}
	}

	// The outcomes export as CSV, one row per order, from the job's page.
	if href := ag.get(loc, nil).testid("bulk-export").AttrOr("href", ""); href != loc+"/export.csv" {
		t.Fatalf("export link %q", href)
	}
	csvAnswer := ag.get(loc+"/export.csv", nil)
	if ct := csvAnswer.resp.Header.Get("Content-Type"); csvAnswer.resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("export: %d %s", csvAnswer.resp.StatusCode, ct)
	}
	rows, err := csv.NewReader(strings.NewReader(csvAnswer.body)).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("export: %d rows, %v:\n%s", len(rows), err, csvAnswer.body)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for _, row := range rows[1:] {
		if !slices.Contains(ids, row[col["order_id"]]) || row[col["outcome"]] != string(bulk.StateSent) ||
			row[col["operation"]] != string(omclient.OpExtendAuthorizationTime) || row[col["ticket"]] != "ZD-1" || row[col["attempt_id"]] == "" {
			t.Errorf("export row %v", row)
		}
	}
	if r := a.signedIn(staff.RoleAuditor).get(loc+"/export.csv", nil); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("the auditor exported a bulk change: %d", r.resp.StatusCode)
	}
}

// Over the agents' cap the confirmation says a supervisor must start it,
// and a forged submit is refused with nothing stored; a supervisor may.
func TestBulkOverTheAgentCapNeedsASupervisor(t *testing.T) {
	a := newOrdersApp(t, ordersAppOpts{bulk: &bulk.Limits{AgentMaxOrders: 1}})
	ids := a.authorizedOrders(2)
	ag := a.signedIn(staff.RoleAgent)
	conf := ag.confirmBulk(omclient.OpExtendAuthorizationTime, ids...)
	if !strings.Contains(conf.testid("bulk-blocked").Text(), "a supervisor must start it") || conf.testid("bulk-start-form").Length() != 0 {
		t.Fatalf("agent over the cap: %q", conf.testid("bulk-blocked").Text())
	}
	forged := url.Values{"_csrf": {ag.csrfToken()}, "op": {string(omclient.OpExtendAuthorizationTime)}, "order": ids,
		"job": {"0190f0f2-7a5c-7d3e-8a1b-2c3d4e5f6a7b"}, "reason": {"customer_request"}}
	if r := ag.post("/bulk", forged, nil); r.resp.StatusCode != http.StatusForbidden {
		t.Fatalf("forged start over the cap: %d", r.resp.StatusCode)
	}
	if _, _, err := a.bulk.Job(t.Context(), "0190f0f2-7a5c-7d3e-8a1b-2c3d4e5f6a7b"); err == nil {
		t.Fatal("the refused job was stored")
	}
	sup := a.signedIn(staff.RoleSupervisor)
	if conf := sup.confirmBulk(omclient.OpExtendAuthorizationTime, ids...); conf.testid("bulk-start-form").Length() != 1 {
		t.Fatalf("a supervisor cannot start it: %q", conf.testid("bulk-blocked").Text())
	}
}

// "All orders of this list" takes the list's filters: every order of the
// filtered list, and a list longer than the cap is refused, not cut.
func TestBulkAllOrdersOfTheFilteredList(t *testing.T) {
	a := newOrdersApp(t, ordersAppOpts{bulk: &bulk.Limits{MaxOrders: 3}})
	ag := a.signedIn(staff.RoleAgent)
	ids := a.authorizedOrders(1)
	o := a.sandboxOrder(ids[0])
	list := url.Values{"q": {string(o.KlarnaReference)}}
	form := url.Values{"_csrf": {ag.csrfToken()}, "op": {string(omclient.OpCancel)}, "scope": {"all"}, "list": {list.Encode()}}
	conf := ag.post("/orders/bulk", form, nil)
	if conf.resp.StatusCode != http.StatusOK || conf.testid("bulk-order").Length() != 1 {
		t.Fatalf("all of a one-order list: %d, %d rows: %s", conf.resp.StatusCode, conf.testid("bulk-order").Length(), conf.body)
	}
	if got := conf.testid("bulk-start-form").Find(`input[name="order"]`).AttrOr("value", ""); got != ids[0] {
		t.Errorf("the confirmation carries order %q; want %s", got, ids[0])
	}
	form.Set("list", url.Values{"status": {"AUTHORIZED"}}.Encode())
	if r := ag.post("/orders/bulk", form, nil); r.resp.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, "More than 3 orders") {
		t.Fatalf("a list over the cap: %d", r.resp.StatusCode)
	}
}

// The auditor cannot start a bulk change, and nobody can without the
// CSRF token.
func TestBulkRefusesTheAuditorAndForgedRequests(t *testing.T) {
	a := newOrdersApp(t, ordersAppOpts{bulk: &bulk.Limits{}})
	ids := a.authorizedOrders(1)
	aud := a.signedIn(staff.RoleAuditor)
	if r := aud.confirmBulk(omclient.OpCancel, ids...); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("auditor's confirmation: %d", r.resp.StatusCode)
	}
	ag := a.signedIn(staff.RoleAgent)
	start := url.Values{"op": {string(omclient.OpCancel)}, "order": ids, "job": {"0190f0f2-7a5c-7d3e-8a1b-2c3d4e5f6a7b"}, "reason": {"customer_request"}}
	if r := ag.post("/bulk", start, nil); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("start without CSRF: %d", r.resp.StatusCode)
	}
	if _, _, err := a.bulk.Job(t.Context(), "0190f0f2-7a5c-7d3e-8a1b-2c3d4e5f6a7b"); err == nil {
		t.Error("a job was stored from a forged request")
	}
}
