package handlers_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"ordercare/internal/staff"
)

// An admin's password reset leaves the second factor in place; removing
// the factor takes a second admin.
func TestAdminResetsKeepTheFactorAndFactorResetNeedsTwoAdmins(t *testing.T) {
	t.Parallel()
	f := newFoundation(t, foundationOpts{mfa: staff.MFAOptional})
	sup := f.browser()
	sup.signIn("supervisor@example.com", testPassword, "")
	sup.enrolTOTP()
	id := strconv.FormatInt(f.ids[staff.RoleSupervisor], 10)
	if _, err := f.h.Staff.Add(t.Context(), "second.admin@example.com", staff.RoleAdmin, testPassword); err != nil {
		t.Fatal(err)
	}

	a1 := f.browser()
	a1.signIn("admin@example.com", testPassword, "")
	if p := a1.post("/staff", "/staff/"+id+"/password", url.Values{"password": {"a new passphrase"}}); p.resp.StatusCode >= 400 {
		t.Fatalf("password reset: %d", p.resp.StatusCode)
	}
	p := f.browser().signIn("supervisor@example.com", "a new passphrase", "")
	if p.resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(p.resp.Header.Get("Location"), "/login/code") {
		t.Fatalf("after a password reset the new password alone: %d %q", p.resp.StatusCode, p.resp.Header.Get("Location"))
	}

	if p := a1.post("/staff", "/staff/"+id+"/factor-reset", nil); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("asking for the reset: %d", p.resp.StatusCode)
	}
	if p := a1.post("/staff", "/staff/"+id+"/factor-reset", nil); p.resp.StatusCode != http.StatusConflict {
		t.Fatalf("the asking admin approving: %d", p.resp.StatusCode)
	}
	if has, _ := f.h.Staff.HasTOTP(t.Context(), f.ids[staff.RoleSupervisor]); !has {
		t.Fatal("one admin removed the factor")
	}
	a2 := f.browser()
	a2.signIn("second.admin@example.com", testPassword, "")
	if p := a2.post("/staff", "/staff/"+id+"/factor-reset", nil); p.resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("second admin approving: %d", p.resp.StatusCode)
	}
	if has, _ := f.h.Staff.HasTOTP(t.Context(), f.ids[staff.RoleSupervisor]); has {
		t.Fatal("the approved reset left the factor")
	}
	if steps := strings.Join(f.factorSteps(), ","); !strings.HasSuffix(steps, "reset_requested,removed") {
		t.Fatalf("second-factor audit steps %s", steps)
	}
}
