package handlers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/db"
	"ordercare/internal/outbox"
	"ordercare/internal/staff"
)

// Admins see a failing delivery with the receiver's answer and can retry
// it; other roles cannot see the page or retry.
func TestOutboxPage(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	ctx := context.Background()
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "receiver is down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(recv.Close)
	ob, err := outbox.Open(ctx, f.h.DB.(*db.DB), f.audit, outbox.Options{URL: recv.URL, Secret: "0123456789abcdef-secret"})
	if err != nil {
		t.Fatal(err)
	}
	f.h.Outbox = ob
	actor := audit.Actor{StaffID: f.ids[staff.RoleAgent], Email: "agent@example.com", Role: "agent"}
	orderID := "5b1c7f2e-0a1b-4c2d-8e3f-112233445566"
	if _, err := f.audit.Append(ctx, audit.Event{Kind: audit.KindRequested, AttemptID: "att-1", Actor: actor, OrderID: orderID, Action: "cancel"}); err != nil {
		t.Fatal(err)
	}
	done, err := f.audit.Append(ctx, audit.Event{Kind: audit.KindCompleted, AttemptID: "att-1", Actor: actor, OrderID: orderID,
		Action: "cancel", Outcome: audit.OutcomeSucceeded})
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Record(ctx, done); err != nil {
		t.Fatal(err)
	}
	if _, err := ob.DeliverDue(ctx); err != nil {
		t.Fatal(err)
	}

	for _, r := range []staff.Role{staff.RoleAgent, staff.RoleSupervisor, staff.RoleAuditor} {
		b := f.browser()
		b.signIn(string(r)+"@example.com", testPassword, "")
		if p := b.get("/outbox"); p.resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET /outbox %d, want 403", r, p.resp.StatusCode)
		}
	}

	b := f.browser()
	b.signIn("admin@example.com", testPassword, "")
	p := b.get("/outbox")
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("admin: GET /outbox %d", p.resp.StatusCode)
	}
	row := p.doc.Find(`[data-testid="outbox-pending"] [data-testid="outbox-row"]`)
	if row.Length() != 1 || !strings.Contains(row.Text(), orderID) || !strings.Contains(row.Text(), "receiver is down for maintenance") {
		t.Fatalf("failing row not shown with its error:\n%s", p.body)
	}
	action, ok := row.Find("form").Attr("action")
	if !ok {
		t.Fatal("no retry form on a failing delivery")
	}
	// Another role's forged retry is refused.
	agent := f.browser()
	agent.signIn("agent@example.com", testPassword, "")
	if r := agent.post("/", action, url.Values{}); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("agent retry: %d, want 403", r.resp.StatusCode)
	}
	r := b.post("/outbox", action, url.Values{})
	if r.resp.StatusCode != http.StatusSeeOther || r.resp.Header.Get("Location") != "/outbox" {
		t.Fatalf("retry: %d %s", r.resp.StatusCode, r.resp.Header.Get("Location"))
	}
	if p := b.get("/outbox"); !strings.Contains(p.body, "sent again now") {
		t.Error("no confirmation after the retry")
	}
	if r := b.post("/outbox", "/outbox/999/retry", url.Values{}); r.resp.StatusCode != http.StatusNotFound {
		t.Errorf("retry of a missing event: %d", r.resp.StatusCode)
	}
}

// The navigation shows admins "Outbox" whether or not outbound events are
// set up; the page says they are off and how to turn them on instead of
// answering 404.
func TestOutboxPageWhenOff(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{})
	b := f.browser()
	b.signIn("admin@example.com", testPassword, "")
	p := b.get("/outbox")
	if p.resp.StatusCode != http.StatusOK {
		t.Fatalf("admin: GET /outbox without outbound events: %d", p.resp.StatusCode)
	}
	off := p.doc.Find(`[data-testid="outbox-off"]`).Text()
	for _, want := range []string{"off", "ORDERCARE_OUTBOUND_URL", "ORDERCARE_OUTBOUND_SECRET"} {
		if !strings.Contains(off, want) {
			t.Errorf("the page does not say %q: %q", want, off)
		}
	}
	if p.doc.Find(`[data-testid="outbox-counts"]`).Length() != 0 {
		t.Error("counts of a delivery that does not exist are shown")
	}
}
