package handlers_test

import (
	"net/http"
	"testing"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

func TestHomeListsRecentlyOpenedAndExpiringSoon(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	ag := a.signedIn(staff.RoleAgent)

	empty := ag.get("/", nil)
	if empty.resp.StatusCode != http.StatusOK || empty.testid("recent-empty").Length() != 1 {
		t.Fatalf("fresh agent's start page: status %d, empty message %d", empty.resp.StatusCode, empty.testid("recent-empty").Length())
	}

	ids, err := a.sandbox.OrderIDs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	opened := ids[:22]
	for i, id := range opened {
		a.clock.Advance(time.Second) // distinct view times
		if r := ag.get("/orders/"+id, nil); r.resp.StatusCode != http.StatusOK {
			t.Fatalf("open %d: status %d", i, r.resp.StatusCode)
		}
	}
	home := ag.get("/", nil)
	var recent []string
	for i := range home.testid("recent").Length() {
		recent = append(recent, home.testid("recent").Eq(i).AttrOr("data-order-id", ""))
	}
	if len(recent) != 20 {
		t.Fatalf("%d recently opened orders, want the last 20", len(recent))
	}
	for i := range 20 {
		if want := opened[len(opened)-1-i]; recent[i] != want {
			t.Errorf("recent[%d] = %s, want %s (most recent first)", i, recent[i], want)
		}
	}
	// Another agent's start page does not show them.
	other := a.signedIn(staff.RoleSupervisor).get("/", nil)
	if other.testid("recent").Length() != 0 {
		t.Error("a colleague sees this agent's recently opened orders")
	}

	// Expiring soon: open authorizations expiring within 3 days, soonest first.
	exp := home.testid("expiring")
	if exp.Length() == 0 {
		t.Fatal("no expiring orders listed; the demo data has some")
	}
	now := a.clock.Now()
	var last time.Time
	for i := range exp.Length() {
		id := exp.Eq(i).AttrOr("data-order-id", "")
		o, err := a.sandbox.Order(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != omclient.StatusAuthorized && o.Status != omclient.StatusPartCaptured {
			t.Errorf("%s listed as expiring in status %s", id, o.Status)
		}
		if d := o.ExpiresAt.Sub(now); d <= 0 || d > 3*24*time.Hour {
			t.Errorf("%s expires in %s, not within 3 days", id, d)
		}
		if o.ExpiresAt.Before(last) {
			t.Errorf("%s is listed after an order expiring later", id)
		}
		last = o.ExpiresAt.Time
	}
	// Every open order expiring within 3 days is listed.
	for _, id := range ids {
		o, _ := a.sandbox.Order(t.Context(), id)
		open := o.Status == omclient.StatusAuthorized || o.Status == omclient.StatusPartCaptured
		if d := o.ExpiresAt.Sub(now); open && d > 0 && d <= 3*24*time.Hour &&
			home.doc.Find(`[data-testid="expiring"][data-order-id="`+id+`"]`).Length() != 1 {
			t.Errorf("%s expires in %s but is not listed", id, d)
		}
	}
}
