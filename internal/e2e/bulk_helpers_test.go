package e2e

import (
	"strconv"
	"strings"

	"ordercare/internal/omclient"
)

// filterCurrency narrows the order list to one currency through the
// filter form (a full page load) and waits for the filtered list.
func (p *page) filterCurrency(cur string) {
	p.t.Helper()
	p.click(`[data-testid="more-filters"] > summary`)
	p.fill("#filter-currency", cur)
	p.markWindow()
	p.click(`[data-testid="apply-filter"]`)
	p.waitNewDocument("the list in " + cur)
}

// startBulk chooses op for the ticked orders ids on the list's bulk form,
// checks that the confirmation names as many and sent nothing, gives a
// reason and starts the job. It returns the job page's path.
func (p *page) startBulk(srv *server, op omclient.Operation, ids []string) string {
	t := p.t
	t.Helper()
	p.choose(`[data-testid="bulk-op"]`, string(op))
	p.markWindow()
	p.click(`[data-testid="bulk-review"]`)
	p.waitNewDocument("the confirmation")
	if got := p.text(`[data-testid="bulk-count"]`); got != strconv.Itoa(len(ids)) {
		t.Fatalf("the confirmation names %q orders; want %d", got, len(ids))
	}
	for _, id := range ids {
		if n := srv.applied(t, id); n != 0 {
			t.Fatalf("the confirmation sent %d changes to %s", n, id)
		}
	}
	p.choose(`[data-testid="bulk-start-form"] [name="reason"]`, "customer_request")
	p.markWindow()
	p.click(`[data-testid="bulk-start"]`)
	p.waitNewDocument("the job's page")
	path := p.path()
	if !strings.HasPrefix(path, "/bulk/") {
		t.Fatalf("after starting: %s", path)
	}
	return path
}

// waitBulkSent waits on the job's page until the job is finished with n
// orders sent, updated in place (no reload), and the summary says so.
func (p *page) waitBulkSent(n int) {
	t := p.t
	t.Helper()
	p.markWindow()
	p.waitFor(strconv.Itoa(n)+" orders sent", `document.querySelector('[data-testid="bulk-progress"]').dataset.finished === "true"
		&& [...document.querySelectorAll('[data-testid="bulk-item"]')].filter(r => r.dataset.state === "sent").length === `+strconv.Itoa(n))
	if !p.windowMarked() {
		t.Error("the progress reloaded the whole page instead of updating in place")
	}
	if got := p.text(`[data-testid="bulk-summary"]`); !strings.Contains(got, strconv.Itoa(n)+" sent") {
		t.Errorf("summary %q", got)
	}
}
