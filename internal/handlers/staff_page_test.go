package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/staff"
)

// signInAs signs in with any e-mail and password; ok reports whether the
// sign-in was accepted.
func (a *ordersApp) signInAs(email, password string) (*agent, bool) {
	a.t.Helper()
	ag := a.anonymous()
	tok := ag.get("/login", nil).doc.Find(`input[name="_csrf"]`).AttrOr("value", "")
	r := ag.post("/login", url.Values{"email": {email}, "password": {password}, "_csrf": {tok}}, nil)
	return ag, r.resp.StatusCode == http.StatusSeeOther
}

// staffEvents returns the staff events, oldest first.
func (a *ordersApp) staffEvents() []audit.Event {
	a.t.Helper()
	p, err := a.h.Audit.OtherEvents(a.t.Context(), audit.KindStaff, "")
	if err != nil {
		a.t.Fatal(err)
	}
	out := p.Events
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func staffRow(r answer, id int64) *goquery.Selection {
	return r.doc.Find(`[data-testid="staff-row"][data-staff-id="` + strconv.FormatInt(id, 10) + `"]`)
}

func TestStaffListAddAndOneTimePassword(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	admin := a.signedIn(staff.RoleAdmin)
	list := admin.get("/staff", nil)
	if list.resp.StatusCode != http.StatusOK || list.testid("staff-row").Length() != len(staff.Roles) {
		t.Fatalf("list: %d, %d rows", list.resp.StatusCode, list.testid("staff-row").Length())
	}
	if s := staffRow(list, a.staff[staff.RoleAgent]); s.Find(`[data-testid="staff-role"]`).Text() != "Agent" || s.AttrOr("data-status", "") != "active" {
		t.Fatalf("agent row: %s", s.Text())
	}
	tok := admin.csrfToken()

	// Generated password, shown once, never in the session or URL.
	r := admin.post("/staff", url.Values{"_csrf": {tok}, "email": {"New.Person@Example.com"}, "role": {"supervisor"}}, nil)
	secret := r.testid("secret").Text()
	if r.resp.StatusCode != http.StatusOK || len(secret) != 20 || r.resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("add: %d secret %q", r.resp.StatusCode, secret)
	}
	if again := admin.get("/staff", nil); strings.Contains(again.body, secret) {
		t.Fatal("the password is shown a second time")
	}
	newbie, ok := a.signInAs("new.person@example.com", secret)
	if !ok {
		t.Fatal("the generated password does not sign in")
	}
	if r := newbie.get("/audit", nil); r.resp.StatusCode != http.StatusOK {
		t.Fatalf("new supervisor on /audit: %d", r.resp.StatusCode)
	}

	// Password set by the admin.
	r = admin.post("/staff", url.Values{"_csrf": {tok}, "email": {"aud2@example.com"}, "role": {"auditor"}, "password": {"set by the admin 1"}}, nil)
	if r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("add with password: %d", r.resp.StatusCode)
	}
	if _, ok := a.signInAs("aud2@example.com", "set by the admin 1"); !ok {
		t.Fatal("the admin's password does not sign in")
	}
	// Refusals keep the form.
	for _, tc := range []struct{ email, role, pw, msg string }{
		{"agent@example.com", "agent", "", "already exists"},
		{"not an address", "agent", "", "e-mail address"},
		{"x@example.com", "root", "", "Choose a role"},
		{"y@example.com", "agent", "short", "characters long"},
	} {
		r := admin.post("/staff", url.Values{"_csrf": {tok}, "email": {tc.email}, "role": {tc.role}, "password": {tc.pw}}, nil)
		if r.resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.testid("add-error").Text(), tc.msg) ||
			r.doc.Find("#add-email").AttrOr("value", "") != tc.email {
			t.Errorf("%+v: %d %q", tc, r.resp.StatusCode, r.testid("add-error").Text())
		}
	}
	evs := a.staffEvents()
	if len(evs) != 2 {
		t.Fatalf("staff events = %+v", evs)
	}
	if e := evs[0]; e.Actor.Email != "admin@example.com" || e.Detail["change"] != "add" || e.Detail["target_email"] != "new.person@example.com" ||
		e.Detail["role"] != "supervisor" || e.Detail["password"] != "generated" || e.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("add event = %+v", e)
	}
	for _, e := range evs {
		for k, v := range e.Detail {
			if strings.Contains(v, secret) || strings.Contains(v, "set by the admin 1") {
				t.Fatalf("a password is in the audit log (%s)", k)
			}
		}
	}
}

func TestStaffRoleDisableEnableAndPasswordReset(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	admin := a.signedIn(staff.RoleAdmin)
	tok := admin.csrfToken()
	agentID := a.staff[staff.RoleAgent]
	agent := a.signedIn(staff.RoleAgent)
	base := "/staff/" + strconv.FormatInt(agentID, 10)

	// Role change applies to the member's next request.
	if r := agent.get("/audit", nil); !roleRefused(r) {
		t.Fatalf("agent on /audit before: %d", r.resp.StatusCode)
	}
	if r := admin.post(base+"/role", url.Values{"_csrf": {tok}, "role": {"supervisor"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("role: %d", r.resp.StatusCode)
	}
	if r := agent.get("/audit", nil); r.resp.StatusCode != http.StatusOK {
		t.Fatalf("promoted member on /audit: %d", r.resp.StatusCode)
	}

	// Disabling signs the member out on their next request.
	if r := admin.post(base+"/disable", url.Values{"_csrf": {tok}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.resp.StatusCode)
	}
	if r := agent.get("/orders", nil); !signedOutToLogin(r) {
		t.Fatalf("disabled member still served: %d", r.resp.StatusCode)
	}
	if _, ok := a.signInAs("agent@example.com", testPassword); ok {
		t.Fatal("disabled member signed in")
	}
	if s := staffRow(admin.get("/staff", nil), agentID); s.AttrOr("data-status", "") != "disabled" {
		t.Fatalf("row status %q", s.AttrOr("data-status", ""))
	}
	if r := admin.post(base+"/enable", url.Values{"_csrf": {tok}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", r.resp.StatusCode)
	}
	back, ok := a.signInAs("agent@example.com", testPassword)
	if !ok {
		t.Fatal("re-enabled member cannot sign in")
	}

	// A reset ends the sessions and replaces the password (the fake clock
	// moves on, as real time would between sign-in and reset).
	a.clock.Advance(time.Second)
	r := admin.post(base+"/password", url.Values{"_csrf": {tok}}, nil)
	secret := r.testid("secret").Text()
	if r.resp.StatusCode != http.StatusOK || secret == "" {
		t.Fatalf("reset: %d", r.resp.StatusCode)
	}
	if r := back.get("/orders", nil); !signedOutToLogin(r) {
		t.Fatal("sessions survived the reset")
	}
	if _, ok := a.signInAs("agent@example.com", testPassword); ok {
		t.Fatal("old password still works")
	}
	if _, ok := a.signInAs("agent@example.com", secret); !ok {
		t.Fatal("new password does not work")
	}
	if r := admin.post(base+"/password", url.Values{"_csrf": {tok}, "password": {"short"}}, nil); r.resp.StatusCode != http.StatusUnprocessableEntity ||
		r.testid("row-error").Length() != 1 {
		t.Fatalf("short password: %d", r.resp.StatusCode)
	}
	if r := admin.post("/staff/9999/disable", url.Values{"_csrf": {tok}}, nil); r.resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown member: %d", r.resp.StatusCode)
	}

	var changes []string
	for _, e := range a.staffEvents() {
		if e.Actor.Email != "admin@example.com" || e.Detail["target_id"] != strconv.FormatInt(agentID, 10) || e.Detail["target_email"] != "agent@example.com" {
			t.Fatalf("event without actor or target: %+v", e)
		}
		changes = append(changes, e.Detail["change"])
	}
	if strings.Join(changes, ",") != "role,disable,enable,password" {
		t.Fatalf("changes = %v", changes)
	}
}

func TestLastActiveAdminCannotLeave(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	admin := a.signedIn(staff.RoleAdmin)
	tok := admin.csrfToken()
	self := "/staff/" + strconv.FormatInt(a.staff[staff.RoleAdmin], 10)
	r := admin.post(self+"/role", url.Values{"_csrf": {tok}, "role": {"agent"}}, nil)
	if r.resp.StatusCode != http.StatusConflict || !strings.Contains(r.testid("row-error").Text(), "last active admin") {
		t.Fatalf("demote self: %d %q", r.resp.StatusCode, r.testid("row-error").Text())
	}
	r = admin.post(self+"/disable", url.Values{"_csrf": {tok}}, nil)
	if r.resp.StatusCode != http.StatusConflict {
		t.Fatalf("disable self: %d", r.resp.StatusCode)
	}
	if r := admin.get("/staff", nil); r.resp.StatusCode != http.StatusOK {
		t.Fatalf("the admin lost access: %d", r.resp.StatusCode)
	}
	evs := a.staffEvents()
	if len(evs) != 2 || evs[0].Outcome != audit.OutcomeRefused || evs[0].Detail["refused"] != "last active admin" {
		t.Fatalf("refusals not audited: %+v", evs)
	}
	// With a second admin, stepping down works (and ends own admin access).
	sup := "/staff/" + strconv.FormatInt(a.staff[staff.RoleSupervisor], 10)
	if r := admin.post(sup+"/role", url.Values{"_csrf": {tok}, "role": {"admin"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("promote: %d", r.resp.StatusCode)
	}
	if r := admin.post(self+"/role", url.Values{"_csrf": {tok}, "role": {"supervisor"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("step down: %d", r.resp.StatusCode)
	}
	if r := admin.get("/staff", nil); !roleRefused(r) {
		t.Fatalf("former admin on /staff: %d", r.resp.StatusCode)
	}
}

// A member who typed a wrong password five times is locked out for 15
// minutes; the admin sees it on /staff and can lift it (audited), and a
// password reset lifts it too. The page said "Active" and a reset left
// the lock in place.
func TestLockedOutMemberCanBeHelped(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	lockOut := func() {
		for range staff.DefaultLimits.MaxPerAccount {
			if _, ok := a.signInAs("agent@example.com", "wrong password!"); ok {
				t.Fatal("a wrong password signed in")
			}
		}
		if _, ok := a.signInAs("agent@example.com", testPassword); ok {
			t.Fatal("the account is not locked after five wrong passwords")
		}
	}
	lockOut()
	admin := a.signedIn(staff.RoleAdmin)
	row := staffRow(admin.get("/staff", nil), a.staff[staff.RoleAgent])
	if row.AttrOr("data-status", "") != "locked" || !strings.Contains(row.Text(), "Locked until") {
		t.Fatalf("locked member's row: status %q: %s", row.AttrOr("data-status", ""), strings.Join(strings.Fields(row.Text()), " "))
	}
	base := "/staff/" + strconv.FormatInt(a.staff[staff.RoleAgent], 10)
	if r := admin.post(base+"/unlock", url.Values{"_csrf": {admin.csrfToken()}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d", r.resp.StatusCode)
	}
	if _, ok := a.signInAs("agent@example.com", testPassword); !ok {
		t.Fatal("the member cannot sign in after the unlock")
	}
	evs := a.staffEvents()
	if last := evs[len(evs)-1]; last.Detail["change"] != "unlock" || last.Actor.Email != "admin@example.com" {
		t.Errorf("the unlock is not audited: %+v", last)
	}

	lockOut()
	if r := admin.post(base+"/password", url.Values{"_csrf": {admin.csrfToken()}, "password": {"a fresh passphrase"}}, nil); r.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.resp.StatusCode)
	}
	if _, ok := a.signInAs("agent@example.com", "a fresh passphrase"); !ok {
		t.Fatal("a password reset did not lift the lock")
	}
	// Nobody but an admin may unlock.
	sup := a.signedIn(staff.RoleSupervisor)
	if r := sup.post(base+"/unlock", url.Values{"_csrf": {sup.csrfToken()}}, nil); r.resp.StatusCode != http.StatusForbidden {
		t.Errorf("supervisor unlock: %d, want 403", r.resp.StatusCode)
	}
}
