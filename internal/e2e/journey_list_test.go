package e2e

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"ordercare/internal/omclient"
)

// TestJourneyOrderListFilterAndExport: an agent narrows the order list to
// one currency, changes the status filter (in place, keeping the
// currency), and downloads the list as CSV: the file holds exactly the
// listed orders, amounts as decimals beside their currency.
func TestJourneyOrderListFilterAndExport(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	b := startBrowser(t, srv)
	eur := srv.orderWhere(t, "an order in euro", func(o *omclient.Order) bool { return o.PurchaseCurrency == "EUR" })

	agent := b.newPage("agent")
	agent.open("/login")
	agent.signIn(agentEmail)
	agent.open("/orders")
	agent.visible(`[data-testid="results"]`)

	agent.filterCurrency("eur")
	if got := agent.path(); !strings.Contains(got, "currency=EUR") {
		t.Errorf("the address bar %s does not keep the currency filter", got)
	}
	if got := agent.value("#filter-currency"); got != "EUR" {
		t.Errorf("the currency field shows %q after filtering, want EUR", got)
	}
	amounts := eval[[]string](agent, `[...document.querySelectorAll('#results [data-testid="result-amount"]')].map(e => e.textContent)`)
	if len(amounts) == 0 {
		t.Fatal("no orders listed in euro")
	}
	for _, a := range amounts {
		if !strings.Contains(a, "€") {
			t.Errorf("an amount %q in a list filtered to euro", a)
		}
	}

	// The status filter updates the list in place and keeps the currency.
	agent.markWindow()
	agent.choose("#status-filter", string(eur.Status))
	agent.waitFor("the list of "+string(eur.Status)+" orders in euro", `(() => {
		const rows = [...document.querySelectorAll('#results [data-testid="result"]')];
		return rows.length > 0 && rows.every(r => r.dataset.status === `+js(string(eur.Status))+`) && location.search.includes("status=");
	})()`)
	if !agent.windowMarked() {
		t.Error("the status filter reloaded the whole page")
	}
	if got := agent.path(); !strings.Contains(got, "currency=EUR") {
		t.Errorf("the status filter dropped the currency: %s", got)
	}
	listed := eval[[]string](agent, `[...document.querySelectorAll('#results [data-testid="result"]')].map(r => r.dataset.orderId)`)

	// Export: the link carries both filters; the browser fetches it with
	// its own session.
	href := eval[string](agent, `document.querySelector('#results [data-testid="export-csv"]').href`)
	if !strings.Contains(href, "currency=EUR") || !strings.Contains(href, "status=") {
		t.Errorf("the export link %s does not carry the filters", href)
	}
	file := fetchText(t, agent, href)
	if file.Status != 200 || !strings.HasPrefix(file.Type, "text/csv") {
		t.Fatalf("export: status %d, type %q", file.Status, file.Type)
	}
	recs, err := csv.NewReader(strings.NewReader(file.Body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("export is not a CSV with rows (%v):\n%s", err, file.Body)
	}
	head := recs[0]
	col := func(rec []string, name string) string { return rec[slices.Index(head, name)] }
	var exported []string
	for _, rec := range recs[1:] {
		exported = append(exported, col(rec, "order_id"))
		if col(rec, "currency") != "EUR" || col(rec, "status") != string(eur.Status) || !strings.Contains(col(rec, "amount"), ".") {
			t.Errorf("exported row %v is not a %s order in euro with a decimal amount", rec, eur.Status)
		}
	}
	if len(listed) < 25 && !slices.Equal(exported, listed) {
		t.Errorf("the export holds %v, the page lists %v", exported, listed)
	}
}
