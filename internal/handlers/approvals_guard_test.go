package handlers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"ordercare/internal/staff"
)

// TestTheGuardRefusesAHeldChangeAFormSendsWithoutAsking: a form that does
// not ask the four-eyes policy first (here: the handlers without the
// approvals service, over a guarded pipeline) cannot send a held refund;
// the agent is told why, at the form, with what they typed kept, and
// nothing reaches the provider.
func TestTheGuardRefusesAHeldChangeAFormSendsWithoutAsking(t *testing.T) {
	t.Parallel()
	a := newApprovalsApp(t, thresholdPolicy())
	a.service.SetGuard(a.approvals.Guard)
	h := *a.h
	h.Approvals = nil
	e, err := h.Echo()
	if err != nil {
		t.Fatal(err)
	}
	a.srv = httptest.NewServer(e)
	t.Cleanup(a.srv.Close)
	id := a.bigOrder(true)
	ag := a.signedIn(staff.RoleAgent)
	before := a.sent.Load()

	r := a.refund(ag, id, "600,00", nil)
	if r.resp.StatusCode != http.StatusConflict || !strings.Contains(r.body, "needs a second person’s approval") {
		t.Fatalf("status %d: %s", r.resp.StatusCode, text(r.doc.Find("main")))
	}
	if v := r.doc.Find(`input[name="refunded_amount"]`).AttrOr("value", ""); v != "600,00" {
		t.Fatalf("the typed amount was lost: %q", v)
	}
	if n := a.sent.Load() - before; n != 0 {
		t.Fatalf("%d changes reached the sandbox", n)
	}
	if rs := a.requests(id); len(rs) != 0 {
		t.Fatalf("a request was filed without the form asking: %+v", rs)
	}
}
