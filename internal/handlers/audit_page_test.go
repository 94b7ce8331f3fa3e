package handlers_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// auditSeed describes an attempt written straight into the audit log.
type auditSeed struct {
	id      string
	at      time.Time
	email   string
	order   string
	action  string
	outcome audit.Outcome
	code    string
	msg     string
	ticket  string
	body    string
}

func (a *ordersApp) seedAttempt(s auditSeed) {
	a.t.Helper()
	ctx := a.t.Context()
	actor := audit.Actor{StaffID: 1, Email: s.email, Role: "agent"}
	req := audit.Event{Time: s.at, Kind: audit.KindRequested, AttemptID: s.id, Actor: actor, OrderID: s.order, Action: s.action,
		Ticket: s.ticket, Reason: "reason " + s.id, IdempotencyKey: "key-" + s.id,
		Before: map[string]string{"captured_amount": "0.00 EUR"}}
	if s.body != "" {
		req.Request = json.RawMessage(s.body)
	}
	if _, err := a.h.Audit.Append(ctx, req); err != nil {
		a.t.Fatal(err)
	}
	if s.outcome == "" {
		return
	}
	done := audit.Event{Time: s.at.Add(time.Second), Kind: audit.KindCompleted, AttemptID: s.id, Actor: actor, OrderID: s.order,
		Action: s.action, Outcome: s.outcome, HTTPStatus: 201, ErrorCode: s.code, CorrelationID: "corr-" + s.id, DurationMS: 120,
		After: map[string]string{"captured_amount": "10.00 EUR"}}
	if s.msg != "" {
		done.ErrorMessages = []string{s.msg}
	}
	if _, err := a.h.Audit.Append(ctx, done); err != nil {
		a.t.Fatal(err)
	}
}

const (
	orderA = "11111111-1111-4111-8111-111111111111"
	orderB = "22222222-2222-4222-8222-222222222222"
)

// auditFixture: six attempts across two agents, two orders, actions,
// outcomes and days.
func auditFixture(t *testing.T) *ordersApp {
	a := newOrdersApp(t, ordersAppOpts{})
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	for _, s := range []auditSeed{
		{id: "t1", at: day, email: "agent@example.com", order: orderA, action: "create_capture", outcome: audit.OutcomeSucceeded, ticket: "ZD-1", body: `{"captured_amount":1000}`},
		{id: "t2", at: day.Add(time.Hour), email: "supervisor@example.com", order: orderA, action: "create_refund", outcome: audit.OutcomeRefused, code: "REFUND_NOT_ALLOWED", msg: "Refund not allowed: order is cancelled"},
		{id: "t3", at: day.AddDate(0, 0, 1), email: "agent@example.com", order: orderB, action: "cancel", outcome: audit.OutcomeUnknown},
		{id: "t4", at: day.AddDate(0, 0, 2), email: "supervisor@example.com", order: orderB, action: "create_capture", outcome: audit.OutcomeFailed},
		{id: "t5", at: day.AddDate(0, 0, 3), email: "agent@example.com", order: orderB, action: "update_merchant_references", outcome: audit.OutcomeSucceeded, body: `{"merchant_reference1":"ORD-77"}`},
		{id: "t6", at: day.AddDate(0, 0, 4), email: "agent@example.com", order: orderA, action: "create_refund", outcome: audit.OutcomeSucceeded, ticket: "=cmd|' /C calc'!A0", body: `{"refunded_amount":300}`},
	} {
		a.seedAttempt(s)
	}
	return a
}

// rowIDs lists the attempt ids of the audit table, in order.
func (r answer) rowIDs() []string {
	var out []string
	r.testid("audit-row").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-attempt-id", "")) })
	return out
}

func TestAuditFiltersAloneAndCombined(t *testing.T) {
	t.Parallel()
	a := auditFixture(t)
	sup := a.signedIn(staff.RoleSupervisor)
	cases := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"no filter", nil, []string{"t6", "t5", "t4", "t3", "t2", "t1"}},
		{"staff", url.Values{"staff": {"Supervisor@example.com"}}, []string{"t4", "t2"}},
		{"order", url.Values{"order": {orderB}}, []string{"t5", "t4", "t3"}},
		{"action", url.Values{"action": {"create_refund"}}, []string{"t6", "t2"}},
		{"outcome", url.Values{"outcome": {"unknown"}}, []string{"t3"}},
		{"from", url.Values{"from": {"2026-03-05"}}, []string{"t6", "t5"}},
		{"to is inclusive", url.Values{"to": {"2026-03-03"}}, []string{"t3", "t2", "t1"}},
		{"one day", url.Values{"from": {"2026-03-03"}, "to": {"2026-03-03"}}, []string{"t3"}},
		{"text error message", url.Values{"text": {"cancelled"}}, []string{"t2"}},
		{"text reference", url.Values{"text": {"ORD-77"}}, []string{"t5"}},
		{"text ticket", url.Values{"text": {"ZD-1"}}, []string{"t1"}},
		{"staff and action", url.Values{"staff": {"agent@example.com"}, "action": {"create_capture"}}, []string{"t1"}},
		{"order, outcome and dates", url.Values{"order": {orderA}, "outcome": {"succeeded"}, "from": {"2026-03-01"}, "to": {"2026-03-31"}}, []string{"t6", "t1"}},
		{"nothing matches", url.Values{"staff": {"supervisor@example.com"}, "outcome": {"unknown"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := sup.get("/audit?"+tc.query.Encode(), nil)
			if r.resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", r.resp.StatusCode)
			}
			if got := r.rowIDs(); !slices.Equal(got, tc.want) {
				t.Fatalf("rows = %v, want %v", got, tc.want)
			}
			count := r.testid("audit-count").Text()
			if !strings.HasPrefix(count, fmt.Sprintf("%d attempt", len(tc.want))) {
				t.Fatalf("count = %q, want %d", count, len(tc.want))
			}
			// The export link carries the same filters.
			href := r.testid("export-link").AttrOr("href", "")
			u, _ := url.Parse(href)
			for k := range tc.query {
				if u.Query().Get(k) != tc.query.Get(k) {
					t.Fatalf("export link %q lost %s", href, k)
				}
			}
		})
	}
	// The filter form keeps the values, so the URL can be shared.
	r := sup.get("/audit?staff=agent%40example.com&outcome=succeeded&text=ZD", nil)
	if r.doc.Find(`#audit-staff option[selected]`).AttrOr("value", "") != "agent@example.com" ||
		r.doc.Find(`#audit-outcome option[selected]`).AttrOr("value", "") != "succeeded" ||
		r.doc.Find(`#audit-text`).AttrOr("value", "") != "ZD" {
		t.Fatal("filters not kept in the form")
	}
	// A row links its attempt and its order.
	row := r.testid("audit-row").First()
	if row.Find(`a[href^="/audit/attempts/"]`).Length() != 1 || row.Find(`a[href="/orders/`+orderA+`"]`).Length() != 1 {
		t.Fatalf("row links: %s", row.Text())
	}
	// htmx gets the table only, and the Vary header.
	hx := sup.get("/audit?outcome=refused", http.Header{"Hx-Request": {"true"}})
	if strings.Contains(hx.body, "<html") || !slices.Equal(hx.rowIDs(), []string{"t2"}) || !strings.Contains(strings.Join(hx.resp.Header.Values("Vary"), ","), "HX-Request") {
		t.Fatalf("htmx answer: %s", hx.body)
	}
	// Filters that cannot be used say so.
	for q, msg := range map[string]string{
		"from=yesterday":                   "not a date",
		"from=2026-03-05&to=2026-03-01":    "ends before it starts",
		"outcome=great":                    "Unknown outcome",
		"action=drop_table":                "Unknown action",
		"cursor=not-a-cursor&outcome=":     "not valid",
		"text=" + strings.Repeat("x", 201): "too long",
	} {
		r := sup.get("/audit?"+q, nil)
		if r.resp.StatusCode != http.StatusBadRequest || !strings.Contains(r.testid("filter-error").Text(), msg) {
			t.Errorf("%s: %d %q", q, r.resp.StatusCode, r.testid("filter-error").Text())
		}
	}
}

func TestAuditPaginationAcrossPages(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	base := time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)
	const n = 2*audit.PageSize + 20
	for i := range n {
		a.seedAttempt(auditSeed{id: fmt.Sprintf("p%03d", i), at: base.Add(time.Duration(i) * time.Minute), email: "agent@example.com",
			order: orderA, action: "cancel", outcome: audit.OutcomeSucceeded})
	}
	sup := a.signedIn(staff.RoleSupervisor)
	var seen []string
	path := "/audit?staff=agent%40example.com"
	pages := 0
	for path != "" {
		r := sup.get(path, nil)
		pages++
		ids := r.rowIDs()
		if pages < 3 && len(ids) != audit.PageSize {
			t.Fatalf("page %d: %d rows", pages, len(ids))
		}
		if pages > 1 && r.testid("first-page").Length() != 1 {
			t.Fatalf("page %d has no link back to the first page", pages)
		}
		seen = append(seen, ids...)
		path = r.testid("next-page").AttrOr("href", "")
		if path != "" && !strings.Contains(path, "staff=agent%40example.com") {
			t.Fatalf("next link lost the filter: %s", path)
		}
	}
	if pages != 3 || len(seen) != n {
		t.Fatalf("%d pages, %d rows", pages, len(seen))
	}
	for i, id := range seen {
		if want := fmt.Sprintf("p%03d", n-1-i); id != want {
			t.Fatalf("row %d = %s, want %s", i, id, want)
		}
	}
}

func TestAuditExportCSV(t *testing.T) {
	t.Parallel()
	a := auditFixture(t)
	aud := a.signedIn(staff.RoleAuditor)
	r := aud.get("/audit/export.csv?staff=agent%40example.com&action=create_refund", nil)
	if r.resp.StatusCode != http.StatusOK || !strings.HasPrefix(r.resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(r.resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", r.resp.StatusCode, r.resp.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, r.body)
	}
	if len(recs) != 2 || recs[0][1] != "attempt_id" || recs[1][1] != "t6" {
		t.Fatalf("records = %v", recs)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	if got := recs[1][col["ticket"]]; got != "'=cmd|' /C calc'!A0" {
		t.Fatalf("formula cell = %q, want it neutralised", got)
	}
	if recs[1][col["amount"]] != "300" || recs[1][col["staff_email"]] != "agent@example.com" || len(recs[1][col["completed_hash"]]) != 64 {
		t.Fatalf("row = %v", recs[1])
	}
	// The export is on record, with the auditor and the filters.
	p, err := a.h.Audit.OtherEvents(t.Context(), audit.KindExport, "")
	if err != nil || len(p.Events) != 1 {
		t.Fatalf("export events: %+v %v", p, err)
	}
	e := p.Events[0]
	if e.Actor.Email != "auditor@example.com" || e.Detail["filter.staff_email"] != "agent@example.com" || e.Detail["filter.action"] != "create_refund" {
		t.Fatalf("export event = %+v", e)
	}
}

func TestAuditRoles(t *testing.T) {
	t.Parallel()
	a := auditFixture(t)
	agent := a.signedIn(staff.RoleAgent)
	for _, p := range []string{"/audit", "/audit/export.csv", "/audit/review", "/audit/events", "/audit/attempts/t1", "/staff"} {
		if r := agent.get(p, nil); !roleRefused(r) {
			t.Errorf("agent %s: %d", p, r.resp.StatusCode)
		}
	}
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.get("/staff", nil); !roleRefused(r) {
		t.Errorf("supervisor /staff: %d", r.resp.StatusCode)
	}
	// The auditor reads everything and is offered no form.
	aud := a.signedIn(staff.RoleAuditor)
	page := aud.get("/audit", nil)
	if page.resp.StatusCode != http.StatusOK || page.testid("verify-form").Length() != 0 || len(page.rowIDs()) != 6 {
		t.Fatalf("auditor /audit: %d, verify form %d", page.resp.StatusCode, page.testid("verify-form").Length())
	}
	att := aud.get("/audit/attempts/t3", nil)
	if att.resp.StatusCode != http.StatusOK || att.testid("review-form").Length() != 0 || att.testid("check-form").Length() != 0 {
		t.Fatalf("auditor attempt page offers forms")
	}
	q := aud.get("/audit/review", nil)
	if q.resp.StatusCode != http.StatusOK || q.testid("review-form").Length() != 0 || q.testid("check-form").Length() != 0 {
		t.Fatalf("auditor queue offers forms")
	}
	tok := aud.csrfToken()
	for _, p := range []string{"/audit/verify", "/audit/attempts/t3/check", "/audit/attempts/t3/review"} {
		if r := aud.post(p, url.Values{"_csrf": {tok}, "status": {"reviewed"}}, nil); !roleRefused(r) {
			t.Errorf("auditor POST %s: %d", p, r.resp.StatusCode)
		}
	}
	if rs, _ := a.h.Audit.Reviews(t.Context(), "t3"); len(rs) != 0 {
		t.Fatalf("auditor changed something: %+v", rs)
	}
	// Supervisors see the forms.
	sa := sup.get("/audit/attempts/t3", nil)
	if sa.testid("review-form").Length() != 1 || sa.testid("check-form").Length() != 1 || sup.get("/audit", nil).testid("verify-form").Length() != 1 {
		t.Fatal("supervisor is not offered review, check and verify")
	}
}

func TestAuditAttemptDetail(t *testing.T) {
	t.Parallel()
	a := auditFixture(t)
	sup := a.signedIn(staff.RoleSupervisor)
	r := sup.get("/audit/attempts/t1", nil)
	if r.resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", r.resp.StatusCode)
	}
	if body := r.testid("attempt-request").Text(); body != "{\n  \"captured_amount\": 1000\n}" {
		t.Fatalf("request body = %q", body)
	}
	at, err := a.h.Audit.Attempt(t.Context(), "t1")
	if err != nil {
		t.Fatal(err)
	}
	var hashes []string
	r.testid("event-hash").Each(func(_ int, s *goquery.Selection) { hashes = append(hashes, s.Text()) })
	if !slices.Equal(hashes, []string{at.Requested.Hash, at.Completed.Hash}) {
		t.Fatalf("hashes = %v", hashes)
	}
	if !strings.Contains(r.testid("attempt-answer").Text(), "corr-t1") || !strings.Contains(r.testid("attempt-changes").Text(), "€10.00") {
		t.Fatalf("answer or changes missing: %s", r.body)
	}
	if r := sup.get("/audit/attempts/nope", nil); r.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing attempt: %d", r.resp.StatusCode)
	}
}

func TestReviewEventsThroughThePages(t *testing.T) {
	t.Parallel()
	a := auditFixture(t)
	sup := a.signedIn(staff.RoleSupervisor)
	tok := sup.csrfToken()
	queue := sup.get("/audit/review", nil)
	items := func(r answer) []string {
		var ids []string
		r.testid("review-item").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-attempt-id", "")) })
		return ids
	}
	// t3 (unknown) first; then the money changes that succeeded: t1, t6.
	if got := items(queue); !slices.Equal(got, []string{"t3", "t1", "t6"}) {
		t.Fatalf("queue = %v", got)
	}
	// A flag needs a comment: refused, kept on the attempt page.
	r := sup.post("/audit/attempts/t6/review", url.Values{"_csrf": {tok}, "status": {"flagged"}, "comment": {" "}, "back": {"/audit/review"}}, nil)
	if r.resp.StatusCode != http.StatusUnprocessableEntity || r.testid("review-error").Length() != 1 {
		t.Fatalf("flag without comment: %d", r.resp.StatusCode)
	}
	r = sup.post("/audit/attempts/t6/review", url.Values{"_csrf": {tok}, "status": {"flagged"}, "comment": {"refund without ticket"}, "back": {"/audit/review"}}, nil)
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/audit/review" {
		t.Fatalf("flag: %d %s", r.resp.StatusCode, r.resp.Header.Get("Location"))
	}
	r = sup.post("/audit/attempts/t1/review", url.Values{"_csrf": {tok}, "status": {"reviewed"}, "back": {"https://evil.example/"}}, nil)
	if r.resp.Header.Get("Location") != "/audit/attempts/t1" {
		t.Fatalf("foreign back link followed: %s", r.resp.Header.Get("Location"))
	}
	if got := items(sup.get("/audit/review", nil)); !slices.Equal(got, []string{"t3"}) {
		t.Fatalf("queue after reviews = %v", got)
	}
	rs, err := a.h.Audit.Reviews(t.Context(), "t6")
	if err != nil || len(rs) != 1 || rs[0].Kind != audit.KindReview || rs[0].Detail["review"] != "flagged" ||
		rs[0].Reason != "refund without ticket" || rs[0].Actor.Email != "supervisor@example.com" {
		t.Fatalf("review events = %+v %v", rs, err)
	}
	// The attempt's own events are untouched; the page shows the flag.
	page := sup.get("/audit/attempts/t6", nil)
	if page.testid("attempt-review").Text() != "Flagged" || !strings.Contains(page.testid("attempt-reviews").Text(), "refund without ticket") {
		t.Fatal("flag not shown on the attempt")
	}
	if res, err := a.h.Audit.(*audit.Log).Verify(t.Context()); err != nil || !res.OK {
		t.Fatalf("chain: %+v %v", res, err)
	}
}

func TestCheckNowRecordsWhatTheProviderShows(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool { return o.Status == omclient.StatusCaptured && len(o.Captures) > 0 })
	a.seedAttempt(auditSeed{id: "u1", at: ordersNow.Add(-time.Hour), email: "agent@example.com", order: o.OrderID,
		action: "create_capture", outcome: audit.OutcomeUnknown, body: `{"captured_amount":100}`})
	sup := a.signedIn(staff.RoleSupervisor)
	q := sup.get("/audit/review", nil)
	if q.testid("review-unknown").Find(`[data-attempt-id="u1"]`).Length() != 1 {
		t.Fatalf("unknown outcome not listed first: %s", q.body)
	}
	r := sup.post("/audit/attempts/u1/check", url.Values{"_csrf": {sup.csrfToken()}, "back": {"/audit/review"}}, nil)
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/audit/review" {
		t.Fatalf("check: %d", r.resp.StatusCode)
	}
	rs, err := a.h.Audit.Reviews(t.Context(), "u1")
	if err != nil || len(rs) != 1 || rs[0].Kind != audit.KindReconciled {
		t.Fatalf("events = %+v %v", rs, err)
	}
	d := rs[0].Detail
	if d["status"] != string(omclient.StatusCaptured) || d["captures"] != fmt.Sprint(len(o.Captures)) ||
		!strings.Contains(d["capture_list"], o.Captures[0].CaptureID) || rs[0].Actor.Email != "supervisor@example.com" {
		t.Fatalf("reconciled detail = %v", d)
	}
	after := sup.get("/audit/review", nil)
	if after.testid("review-unknown").Length() != 0 || after.testid("review-items").Find(`[data-attempt-id="u1"]`).Length() != 1 {
		t.Fatalf("after the check the attempt should wait for review among the money changes: %s", after.body)
	}
	if !strings.Contains(after.body, "Checked with the provider: status Captured") {
		t.Fatal("no confirmation of the check")
	}
}

func TestVerifyFromThePage(t *testing.T) {
	t.Parallel()
	a := auditFixture(t)
	sup := a.signedIn(staff.RoleSupervisor)
	if st := sup.get("/audit", nil).testid("chain-status").AttrOr("data-state", ""); st != "never" {
		t.Fatalf("state before = %q", st)
	}
	r := sup.post("/audit/verify", url.Values{"_csrf": {sup.csrfToken()}}, nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("verify: %d", r.resp.StatusCode)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		page := sup.get("/audit", nil)
		st := page.testid("chain-status")
		if st.AttrOr("data-state", "") == "ok" {
			if !strings.Contains(st.Text(), "supervisor@example.com") {
				t.Fatalf("status does not say who verified: %s", st.Text())
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("verification did not finish: %s", st.Text())
		}
		time.Sleep(10 * time.Millisecond)
	}
	p, _ := a.h.Audit.OtherEvents(t.Context(), audit.KindVerify, "")
	if len(p.Events) != 1 || p.Events[0].Detail["ok"] != "true" {
		t.Fatalf("verify events = %+v", p.Events)
	}
}
