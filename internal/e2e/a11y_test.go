package e2e

import (
	"testing"

	"ordercare/internal/omclient"
)

// TestAccessibilityAxe runs axe-core on every main page, in the light and
// the dark colour scheme: no serious or critical violation is allowed.
func TestAccessibilityAxe(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	axeScript(t) // skip early (or fail under CI) when axe-core is unavailable
	order := srv.orderWithStatus(t, omclient.StatusPartCaptured, 2)

	p := b.newPage("admin")
	p.open("/login")
	p.visible("#login-email")
	p.checkAxe("the sign-in page")

	// The admin sees every page of the navigation.
	p.signIn(adminEmail)
	p.open("/")
	p.visible("main")
	p.checkAxe("the start page")

	p.open("/orders")
	p.visible(`[data-testid="results-table"]`)
	p.checkAxe("the search page")

	p.open("/orders/" + order.OrderID)
	p.visible(`[data-testid="order-page"]`)
	p.checkAxe("the order page")

	// The change forms, opened in the order page's panel.
	for _, op := range []string{"update_customer_details", "create_capture", "create_refund", "update_authorization", "add_order_shipping_info", "release_remaining_authorization"} {
		p.open("/orders/" + order.OrderID)
		p.openAction(op)
		p.checkAxe("the " + op + " form")
	}
}

// TestAccessibilityFormErrors: a form sent back with errors announces them
// in a live region, marks each field invalid and links the message to it;
// axe finds nothing serious on the form with its errors.
func TestAccessibilityFormErrors(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)

	p := b.newPage("agent")
	p.open("/orders/" + order.OrderID)
	p.signIn(agentEmail)
	p.openAction("update_customer_details")
	// The browser itself stops an empty required field; "Other" without
	// its text is for the server to refuse.
	p.fill(`#order-form [name="shipping_address.city"]`, "Hamburg")
	p.choose(`#order-form [name="reason"]`, "other")
	p.click(`#order-form [data-testid="submit"]`)
	p.waitFor("the form's errors", `document.querySelector('#order-form [data-testid="error-summary"] li')`)

	summary := eval[struct {
		Live  string `json:"live"`
		Items int    `json:"items"`
	}](p, `(() => { const s = document.querySelector('#order-form [data-testid="error-summary"]');
		return {live: s.getAttribute("aria-live") || s.getAttribute("role") || "", items: s.querySelectorAll("li").length}; })()`)
	if summary.Live == "" || summary.Items < 1 {
		t.Errorf("error summary %+v: want a live region listing the missing reason text", summary)
	}
	for _, field := range []string{`#order-form [name="reason_other"]`} {
		st := eval[struct {
			Invalid string `json:"invalid"`
			Message string `json:"message"`
			Label   string `json:"label"`
		}](p, `(() => { const el = document.querySelector(`+js(field)+`);
			const ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
			const msg = ids.map(id => document.getElementById(id)).filter(e => e && e.classList.contains("field-error")).map(e => e.innerText).join(" ");
			const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
			return {invalid: el.getAttribute("aria-invalid") || "", message: msg.trim(), label: label.trim()}; })()`)
		if st.Invalid != "true" || st.Message == "" || st.Label == "" {
			t.Errorf("%s: aria-invalid=%q, linked error %q, label %q; want invalid, a linked message and a visible label", field, st.Invalid, st.Message, st.Label)
		}
	}
	// Nothing was sent, and what the agent typed is kept.
	if n := srv.applied(t, order.OrderID); n != 0 {
		t.Fatalf("a form with errors applied %d changes", n)
	}
	if got := p.value(`#order-form [name="shipping_address.city"]`); got != "Hamburg" {
		t.Errorf("the typed city came back as %q", got)
	}
	p.checkAxe("the address form with errors")
}

// TestAccessibilityAxeAuditAndStaff: axe on the supervisor's audit trail
// (with an attempt in it, and one attempt's page) and the admin's staff
// page.
func TestAccessibilityAxeAuditAndStaff(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	axeScript(t)
	order := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)

	p := b.newPage("admin")
	p.open("/login")
	p.signIn(adminEmail)
	changeAddress(t, p, order, newCityFor(order))
	p.open("/audit")
	p.visible(`#audit-table [data-testid="audit-row"]`)
	p.checkAxe("the audit trail")
	p.click(`#audit-table [data-testid="attempt-link"]`)
	p.visible(`[data-testid="attempt-page"]`)
	p.checkAxe("an attempt's page")

	p.open("/staff")
	p.visible(`[data-testid="staff-table"]`)
	p.checkAxe("the staff page")
}

// TestAccessibilityAxeApprovals: axe on the four-eyes pages: the order
// page with its "Waiting for approval" panel, the supervisor's list of
// requests and a request's page with its decision forms.
func TestAccessibilityAxeApprovals(t *testing.T) {
	t.Parallel()
	srv := startApprovalServer(t)
	b := startBrowser(t, srv)
	axeScript(t)
	order := refundableOrder(t, srv)

	agent := b.newPage("agent")
	agent.open("/orders/" + order.OrderID)
	agent.signIn(agentEmail)
	askRefund(agent)
	agent.visible(`#order-approvals [data-testid="open-approval"]`)
	agent.checkAxe("the order page with a request waiting")

	sup := b.newPage("supervisor")
	sup.open("/approvals")
	sup.signIn(supervisorEmail)
	sup.visible(`[data-testid="approval-row"]`)
	sup.checkAxe("the list of requests")
	openFirstRequest(sup)
	sup.checkAxe("a request's page")
}
