package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// TestJourneyBulkCaptureFilterExport: an agent narrows the order list to
// one currency and then to authorized orders, ticks three, captures them
// in full, watches the job's page until every order is done and
// downloads the outcomes: the file names exactly the three orders, each
// sent, with its amount as a decimal beside its currency; at the
// provider each order was captured once, for its whole amount.
func TestJourneyBulkCaptureFilterExport(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	// The currency with the most capturable demo orders (authorized, not
	// waiting for fraud review), so that the filtered list shows three.
	capturable := func(o *omclient.Order) bool {
		return o.Status == omclient.StatusAuthorized && o.RemainingAuthorizedAmount > 0 && o.FraudStatus == omclient.FraudAccepted
	}
	perCurrency := map[string]int{}
	ids, err := srv.App.Sandbox().OrderIDs(context.Background())
	if err != nil {
		t.Fatalf("sandbox orders: %v", err)
	}
	for _, id := range ids {
		if o := srv.sandboxOrder(t, id); capturable(o) {
			perCurrency[string(o.PurchaseCurrency)]++
		}
	}
	cur := ""
	for c, n := range perCurrency {
		if cur == "" || n > perCurrency[cur] || (n == perCurrency[cur] && c < cur) {
			cur = c
		}
	}

	agent := b.newPage("agent")
	agent.open("/login")
	agent.signIn(agentEmail)
	agent.open("/orders")
	agent.visible(`[data-testid="results"]`)

	// Filter: the currency from the filter form (a new page), then the
	// status from its select (in place, keeping the currency).
	agent.filterCurrency(cur)
	agent.markWindow()
	agent.choose("#status-filter", string(omclient.StatusAuthorized))
	agent.waitFor("the authorized orders in "+cur, `(() => {
		const rows = [...document.querySelectorAll('#results [data-testid="result"]')];
		return rows.length >= 3 && rows.every(r => r.dataset.status === "AUTHORIZED") && location.search.includes("status=AUTHORIZED");
	})()`)
	if !agent.windowMarked() {
		t.Error("the status filter reloaded the whole page")
	}
	if got := agent.path(); !strings.Contains(got, "currency="+cur) {
		t.Fatalf("the status filter dropped the currency: %s", got)
	}

	// Tick three that the provider will capture (an order waiting for
	// fraud review is refused without a call: the bulk tests cover that).
	listed := eval[[]string](agent, `[...document.querySelectorAll('#results [data-testid="result"]')].map(r => r.dataset.orderId)`)
	ids = nil
	want := map[string]*omclient.Order{}
	for _, id := range listed {
		o := srv.sandboxOrder(t, id)
		if o.Status != omclient.StatusAuthorized || string(o.PurchaseCurrency) != cur {
			t.Fatalf("the filtered list shows %s, %s in %s", id, o.Status, o.PurchaseCurrency)
		}
		if !capturable(o) || len(ids) == 3 {
			continue
		}
		ids = append(ids, id)
		want[id] = o
		agent.click(`#results [data-testid="result"][data-order-id="` + id + `"] [data-testid="bulk-tick"]`)
	}
	if len(ids) != 3 {
		t.Fatalf("the list of authorized orders in %s shows %d that can be captured; want 3", cur, len(ids))
	}
	if n := agent.count(`#results [data-testid="bulk-tick"]:checked`); n != 3 {
		t.Fatalf("%d orders ticked, want 3", n)
	}

	// Capture in full: the confirmation names the three, sends nothing;
	// the progress updates in place to the end.
	jobPath := agent.startBulk(srv, omclient.OpCreateCapture, ids)
	agent.waitBulkSent(3)
	for _, id := range ids {
		o := srv.sandboxOrder(t, id)
		if n := srv.applied(t, id); n != 1 || o.Status != omclient.StatusCaptured || o.CapturedAmount != want[id].OrderAmount {
			t.Errorf("order %s: %d changes, %s, %d captured; want captured once in full (%d)", id, n, o.Status, o.CapturedAmount, want[id].OrderAmount)
		}
		checkOneSucceeded(t, srv, id, omclient.OpCreateCapture)
	}

	// Export: the browser fetches the job's CSV with its own session.
	href := eval[string](agent, `document.querySelector('[data-testid="bulk-export"]').href`)
	if !strings.HasSuffix(href, jobPath+"/export.csv") {
		t.Errorf("the export link %s is not the job's", href)
	}
	file := fetchText(t, agent, href)
	if file.Status != 200 || !strings.HasPrefix(file.Type, "text/csv") {
		t.Fatalf("export: status %d, type %q", file.Status, file.Type)
	}
	recs, err := csv.NewReader(strings.NewReader(file.Body)).ReadAll()
	if err != nil || len(recs) != 4 {
		t.Fatalf("export is not a CSV with a header and three rows (%v):\n%s", err, file.Body)
	}
	head := recs[0]
	col := func(rec []string, name string) string {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("the export has no column %q: %v", name, head)
		}
		return rec[i]
	}
	var exported []string
	for _, rec := range recs[1:] {
		id := col(rec, "order_id")
		exported = append(exported, id)
		o, ok := want[id]
		if !ok {
			t.Errorf("exported row of an order not ticked: %v", rec)
			continue
		}
		if col(rec, "operation") != string(omclient.OpCreateCapture) || col(rec, "outcome") != "sent" ||
			col(rec, "currency") != cur || col(rec, "amount") != decimal(o.OrderAmount) ||
			col(rec, "provider_reference") != string(o.KlarnaReference) || col(rec, "started_by") != agentEmail ||
			col(rec, "reason") != "Customer request" || col(rec, "attempt_id") == "" {
			t.Errorf("exported row %v; want %s captured (sent) for %s %s by %s", rec, id, decimal(o.OrderAmount), cur, agentEmail)
		}
	}
	if !slices.Equal(sorted(exported), sorted(ids)) {
		t.Errorf("the export holds %v, the agent ticked %v", exported, ids)
	}
}

// decimal writes minor units of a two-decimal currency as a spreadsheet
// reads them.
func decimal(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
