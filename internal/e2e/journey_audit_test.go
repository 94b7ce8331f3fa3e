package e2e

import (
	"strings"
	"testing"
	"time"

	"ordercare/internal/omclient"
)

// changeAddress is journey 2's change, by whoever p is signed in as.
func changeAddress(t *testing.T, p *page, order *omclient.Order, city string) {
	t.Helper()
	p.open("/orders/" + order.OrderID)
	p.visible(`[data-testid="order-page"]`)
	p.openAction("update_customer_details")
	p.fill(`#order-form [name="shipping_address.city"]`, city)
	p.choose(`#order-form [name="reason"]`, "data_correction")
	p.click(`#order-form [data-testid="submit"]`)
	p.waitFlash("the confirmation of the address change")
}

// supervisorFindsChange is journey 2's second half: the supervisor finds
// the agent's address change in /audit by the order id, with the city
// before and after.
func supervisorFindsChange(t *testing.T, b *browser, order *omclient.Order, oldCity, city string) {
	t.Helper()
	sup := b.newPage("supervisor")
	sup.open("/audit")
	sup.signIn(supervisorEmail)
	sup.visible(`[data-testid="audit-page"]`)
	sup.markWindow()
	// Count the table's renders: typing an id and clicking Filter fires
	// the field's change and the form's submit, one query.
	eval[bool](sup, `(() => { window.auditSwaps = 0;
		document.body.addEventListener("htmx:afterSwap", e => { if (e.detail.target.id === "audit-table") window.auditSwaps++; });
		return true; })()`)
	sup.fill("#audit-order", order.OrderID)
	sup.click(`#audit-filters button[type="submit"]`)
	row := `#audit-table [data-testid="audit-row"]`
	sup.waitFor("the order's attempts", `(() => {
		const rows = document.querySelectorAll(`+js(row)+`);
		return rows.length === 1 && rows[0].innerText.includes(`+js(order.OrderID)+`);
	})()`)
	if !sup.windowMarked() {
		t.Error("filtering the audit trail reloaded the whole page")
	}
	time.Sleep(time.Second) // a second render, if any, lands meanwhile
	if n := eval[int](sup, `window.auditSwaps`); n != 1 {
		t.Errorf("one filter rendered the table %d times, want once (a second render can replace a row under the pointer)", n)
	}
	if got := sup.text(row); !strings.Contains(got, agentEmail) {
		t.Errorf("the audit row reads %q, want the agent %s", got, agentEmail)
	}
	if got := eval[string](sup, `document.querySelector(`+js(row)+`).dataset.outcome`); got != "succeeded" {
		t.Errorf("the audit row's outcome is %q, want succeeded", got)
	}
	sup.markWindow()
	sup.click(row + ` [data-testid="attempt-link"]`)
	sup.waitNewDocument("the attempt page")
	changes := sup.text(`[data-testid="attempt-changes"]`)
	if !strings.Contains(changes, oldCity) || !strings.Contains(changes, city) {
		t.Errorf("the attempt's before and after read %q, want %s and %s", changes, oldCity, city)
	}
}

// Journey 7: the supervisor filters the audit trail by the agent and
// exports what is shown as CSV.
func TestJourney7FilterAuditByAgentAndExportCSV(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	agentOrder := srv.orderWithStatus(t, omclient.StatusAuthorized, 1)
	supOrder := srv.orderWhere(t, "another authorized order", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusAuthorized && o.OrderID != agentOrder.OrderID &&
			o.FraudStatus == omclient.FraudAccepted && o.ShippingAddress != nil
	})

	agent := b.newPage("agent")
	agent.open("/login")
	agent.signIn(agentEmail)
	changeAddress(t, agent, agentOrder, newCityFor(agentOrder))

	sup := b.newPage("supervisor")
	sup.open("/login")
	sup.signIn(supervisorEmail)
	changeAddress(t, sup, supOrder, newCityFor(supOrder))

	sup.click(`nav a[href="/audit"]`)
	sup.visible(`[data-testid="audit-page"]`)
	row := `#audit-table [data-testid="audit-row"]`
	sup.waitFor("both changes in the trail", `document.querySelectorAll(`+js(row)+`).length >= 2`)
	sup.markWindow()
	agentOption := eval[string](sup, `(() => {
		const o = [...document.querySelectorAll("#audit-staff option")].find(o => o.textContent.includes(`+js(agentEmail)+`));
		return o ? o.value : "";
	})()`)
	if agentOption == "" {
		t.Fatalf("the staff filter offers no %s", agentEmail)
	}
	sup.choose("#audit-staff", agentOption)
	sup.waitFor("only the agent's attempts", `(() => {
		const rows = [...document.querySelectorAll(`+js(row)+`)];
		return rows.length === 1 && rows.every(r => r.innerText.includes(`+js(agentEmail)+`));
	})()`)
	if !sup.windowMarked() {
		t.Error("the staff filter reloaded the whole page")
	}
	if got := sup.path(); !strings.Contains(got, "staff=") {
		t.Errorf("the address bar %s does not keep the filter", got)
	}

	// Export: the link carries the filter; the browser fetches it with its
	// own session cookie.
	href := eval[string](sup, `document.querySelector('#audit-table [data-testid="export-link"]').href`)
	if !strings.Contains(href, "staff=") {
		t.Errorf("the export link %s does not carry the staff filter", href)
	}
	csv := fetchText(t, sup, href)
	if csv.Status != 200 || !strings.HasPrefix(csv.Type, "text/csv") {
		t.Fatalf("export: status %d, type %q", csv.Status, csv.Type)
	}
	lines := strings.Split(strings.TrimSpace(csv.Body), "\n")
	if len(lines) != 2 {
		t.Fatalf("the export has %d lines, want a header and the agent's one attempt:\n%s", len(lines), csv.Body)
	}
	if !strings.Contains(lines[1], agentEmail) || !strings.Contains(lines[1], agentOrder.OrderID) {
		t.Errorf("the exported row %q is not the agent's change of %s", lines[1], agentOrder.OrderID)
	}
	if strings.Contains(csv.Body, supervisorEmail+",") || strings.Contains(csv.Body, supOrder.OrderID) {
		t.Errorf("the export holds the supervisor's change too:\n%s", csv.Body)
	}
}

// fetched is an HTTP answer fetched by the page.
type fetched struct {
	Status int    `json:"status"`
	Type   string `json:"type"`
	Body   string `json:"body"`
}

// fetchText fetches a URL from inside the page, with the browser's cookies.
func fetchText(t *testing.T, p *page, url string) fetched {
	t.Helper()
	return runAwait[fetched](p, "fetching "+url, `fetch(`+js(url)+`, {credentials: "same-origin"}).then(async r =>
		({status: r.status, type: r.headers.get("Content-Type") || "", body: await r.text()}))`)
}
