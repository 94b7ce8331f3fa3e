package handlers_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

func TestOrderPageHistoryMergesAuditAndProvider(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool { return len(o.Captures) > 0 })
	later := o.Captures[0].CapturedAt.Time.Add(time.Hour)
	a.seedAttempt(auditSeed{id: "h1", at: later, email: "agent@example.com", order: o.OrderID, action: "create_refund",
		outcome: audit.OutcomeRefused, code: "REFUND_NOT_ALLOWED", body: `{"refunded_amount":100}`})

	sources := func(r answer) []string {
		var out []string
		r.doc.Find(`#order-history [data-testid="history-item"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, s.AttrOr("data-source", "")+": "+strings.Join(strings.Fields(s.Text()), " "))
		})
		return out
	}
	sup := a.signedIn(staff.RoleSupervisor)
	page := sup.get("/orders/"+o.OrderID, nil)
	items := sources(page)
	if len(items) != 1+len(o.Captures)+len(o.Refunds) {
		t.Fatalf("history = %v", items)
	}
	ours, outside := 0, 0
	for _, it := range items {
		switch {
		case strings.HasPrefix(it, "ordercare: ") && strings.Contains(it, "Refund") && strings.Contains(it, "Refused") && strings.Contains(it, "agent@example.com"):
			ours++
		case strings.HasPrefix(it, "provider: ") && strings.Contains(it, "made outside ordercare"):
			outside++
		}
	}
	if ours != 1 || outside != len(o.Captures)+len(o.Refunds) {
		t.Fatalf("history = %v", items)
	}
	// Newest first.
	var times []string
	page.doc.Find(`#order-history [data-testid="history-item"] time`).Each(func(_ int, s *goquery.Selection) { times = append(times, s.AttrOr("datetime", "")) })
	for i := 1; i < len(times); i++ {
		if times[i] > times[i-1] {
			t.Fatalf("not newest first: %v", times)
		}
	}
	if page.doc.Find(`#order-history a[href="/audit/attempts/h1"]`).Length() != 1 {
		t.Fatal("supervisor gets no link to the attempt")
	}
	// Agents see the history without links into the audit trail.
	agent := a.signedIn(staff.RoleAgent)
	ap := agent.get("/orders/"+o.OrderID, nil)
	if len(sources(ap)) != len(items) || ap.doc.Find(`#order-history a[href^="/audit/"]`).Length() != 0 {
		t.Fatal("agent history differs or links the audit trail")
	}
	// The section alone, as htmx loads it after a change.
	frag := agent.get("/orders/"+o.OrderID+"/history", http.Header{"Hx-Request": {"true"}})
	if frag.resp.StatusCode != http.StatusOK || strings.Contains(frag.body, "<html") || len(sources(frag)) != len(items) {
		t.Fatalf("history fragment: %d %s", frag.resp.StatusCode, frag.body)
	}
	// Opened directly (a bookmark, a link copied from the fragment), it
	// leads to the order page's History, not to an unstyled fragment.
	direct := agent.get("/orders/"+o.OrderID+"/history", nil)
	if loc := direct.resp.Header.Get("Location"); direct.resp.StatusCode != http.StatusSeeOther || loc != "/orders/"+o.OrderID+"#order-history" {
		t.Fatalf("history opened directly: %d to %q, want 303 to the order page's History", direct.resp.StatusCode, loc)
	}
}

// Without a time-zone cookie (no JavaScript), times are shown in UTC and
// the page says so; it said "Local", the server's zone by another name.
func TestTimesWithoutZoneCookieSayUTC(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	sup := a.signedIn(staff.RoleAdmin)
	for _, path := range []string{"/audit/review", "/staff"} {
		p := sup.get(path, nil)
		label := regexp.MustCompile(`(?:[Tt]imes are|judge office hours \([^)]*\)) in ([^.;<]+)`).FindAllStringSubmatch(p.body, -1)
		if len(label) == 0 {
			t.Errorf("%s: no time label (%d)", path, p.resp.StatusCode)
		}
		for _, m := range label {
			if m[1] != "UTC" {
				t.Errorf("%s: %q, want times in UTC", path, m[0])
			}
		}
	}
}
