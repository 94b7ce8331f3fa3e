package handlers_test

import (
	"net/http"
	"strings"
	"testing"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/staff"
)

// TestChangeFormsUnderFaultsSayUnknownAndApplyOnce takes the fault matrix
// of internal/reliability through the real forms: the provider fails
// (every answer lost after applying, or 503 every time) while an agent
// submits capture, cancel or amount change. The agent sees "Outcome
// unknown ... safe to submit again" with the same request key kept in the
// form; submitting that form again once the provider recovers confirms the
// change, and the provider holds exactly one change, the audit log one
// succeeded attempt.
func TestChangeFormsUnderFaultsSayUnknownAndApplyOnce(t *testing.T) {
	t.Parallel()
	authorized := func(o *omclient.Order) bool {
		return o.Status == omclient.StatusAuthorized && o.FraudStatus == omclient.FraudAccepted && o.RemainingAuthorizedAmount > 100
	}
	forms := []struct {
		slug string
		pick func(o *omclient.Order) bool
		set  func(o *omclient.Order) map[string]string
	}{
		{"capture", authorized, func(*omclient.Order) map[string]string { return map[string]string{"mode": "full"} }},
		{"cancel", authorized, func(*omclient.Order) map[string]string { return nil }},
		{"amount", authorized, func(o *omclient.Order) map[string]string {
			return map[string]string{"mode": "amount", "drop_lines": "1",
				"order_amount": money.FormatPlain(o.OrderAmount-100, o.PurchaseCurrency.String())}
		}},
		// Everything refundable: after a lost refund the provider applied,
		// nothing is left, so only the recorded request can settle it.
		{"refund", func(o *omclient.Order) bool {
			return (o.Status == omclient.StatusCaptured || o.Status == omclient.StatusPartCaptured) && o.CapturedAmount-o.RefundedAmount > 100
		}, func(*omclient.Order) map[string]string { return map[string]string{"mode": "full"} }},
	}
	faults := []struct {
		name    string
		kind    omsim.FaultKind
		applied int // changes held by the provider after the first submit
	}{
		{"reset after apply", omsim.FaultResetAfterApply, 1},
		{"503", omsim.Fault503, 0},
	}
	for _, form := range forms {
		for _, fault := range faults {
			t.Run(form.slug+"/"+fault.name, func(t *testing.T) {
				t.Parallel()
				a := newOrdersApp(t, ordersAppOpts{})
				o := a.demoOrder(form.pick)
				ag := a.signedIn(staff.RoleAgent)
				path := "/orders/" + o.OrderID + "/" + form.slug
				v := ag.fill(path, form.set(o))
				key := v.Get("idempotency_key")
				base := a.applied(o.OrderID)

				a.sandbox.SetFaults(omsim.Faults{Rules: []omsim.FaultRule{
					{Method: http.MethodPost, PathContains: o.OrderID + "/", Kind: fault.kind},
					{Method: http.MethodPatch, PathContains: o.OrderID + "/", Kind: fault.kind},
				}})
				r := ag.post(path, v, nil)
				if r.resp.StatusCode != http.StatusBadGateway || !strings.Contains(r.body, "Outcome unknown") || !strings.Contains(r.body, "safe to submit again") {
					t.Fatalf("first submit: status %d, summary %q", r.resp.StatusCode, strings.TrimSpace(r.doc.Find("main").Text()))
				}
				again := formOf(r)
				if again.Get("idempotency_key") != key {
					t.Fatalf("the form came back with key %q, want the same %q", again.Get("idempotency_key"), key)
				}
				if n := a.applied(o.OrderID) - base; n != fault.applied {
					t.Fatalf("after the first submit the provider holds %d changes, want %d", n, fault.applied)
				}

				a.sandbox.SetFaults(omsim.Faults{})
				if again.Get("reason") == "" {
					again.Set("reason", v.Get("reason"))
				}
				r = ag.post(path, again, nil)
				// Even when the lost try made the action impossible (order
				// cancelled), the resubmit of its key reaches the pipeline,
				// whose replay settles the outcome (openForm lets a known key
				// through its state gate).
				if r.resp.StatusCode != http.StatusSeeOther {
					t.Fatalf("second submit: status %d: %q", r.resp.StatusCode, strings.TrimSpace(r.doc.Find("main").Text()))
				}
				if n := a.applied(o.OrderID) - base; n != 1 {
					t.Fatalf("the provider holds %d changes for one form, want exactly 1", n)
				}
				as, err := a.h.Audit.AttemptsByKey(t.Context(), key)
				if err != nil {
					t.Fatal(err)
				}
				succeeded := 0
				for _, at := range as {
					if at.Completed == nil {
						t.Fatalf("attempt %s not completed", at.AttemptID)
					}
					switch at.Outcome() {
					case audit.OutcomeSucceeded:
						succeeded++
					case audit.OutcomeUnknown:
					default:
						t.Fatalf("attempt outcome %s", at.Outcome())
					}
				}
				if succeeded != 1 || len(as) != 2 {
					t.Fatalf("%d attempts, %d succeeded; want 2 attempts (unknown, then succeeded)", len(as), succeeded)
				}
			})
		}
	}
}
