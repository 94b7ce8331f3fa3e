package e2e

import (
	"strings"
	"testing"

	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// The auditor reads an order in the browser: no action there can be
// clicked or reached with the keyboard (each used to answer "Not allowed"
// only after the click), and the page says what staff could do instead.
func TestJourneyAuditorSeesNoLiveAction(t *testing.T) {
	t.Parallel()
	srv := startServer(t)
	srv.AddMember(t, "auditor@example.com", staff.RoleAuditor)
	b := startBrowser(t, srv)
	order := srv.orderWhere(t, "a part-captured order", func(o *omclient.Order) bool {
		return o.Status == omclient.StatusPartCaptured && len(o.Captures) > 0
	})
	auditor := b.newPage("auditor")
	auditor.signIn("auditor@example.com")
	auditor.open("/orders/" + order.OrderID)
	auditor.visible(`[data-testid="actions-read-only"]`)
	if n := auditor.count(`#order-actions a, #order-actions button, #order-captures [data-testid="action"]`); n != 0 {
		t.Errorf("the auditor's order page has %d actions to click", n)
	}
	if got := auditor.text(`[data-testid="actions-read-only"]`); !strings.Contains(got, "Auditor") {
		t.Errorf("read-only summary %q does not say why", got)
	}
}
