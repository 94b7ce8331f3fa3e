package handlers_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/staff"
)

// TestAuditOrderFilterTakesAnyReference: the audit trail's order filter
// finds an order's changes by the references a supervisor has at hand
// (the provider's, the shop's, a capture's or refund's), not only by the
// order id; the CSV export follows the same filter. Each row shows the
// order's references and the amount as money.
func TestAuditOrderFilterTakesAnyReference(t *testing.T) {
	t.Parallel()
	a := newOrdersApp(t, ordersAppOpts{})
	o := a.demoOrder(func(o *omclient.Order) bool {
		return len(o.Captures) > 0 && o.Captures[0].Reference != "" && o.KlarnaReference != "" && o.MerchantReference1 != ""
	})
	other := a.demoOrder(func(x *omclient.Order) bool { return x.OrderID != o.OrderID })
	a.seedAttempt(auditSeed{id: "r1", at: ordersNow.Add(-time.Hour), email: "agent@example.com", order: o.OrderID,
		action: "create_capture", outcome: audit.OutcomeSucceeded, body: `{"captured_amount":100}`})
	a.seedAttempt(auditSeed{id: "r2", at: ordersNow.Add(-2 * time.Hour), email: "agent@example.com", order: other.OrderID,
		action: "create_capture", outcome: audit.OutcomeSucceeded, body: `{"captured_amount":100}`})
	sup := a.signedIn(staff.RoleSupervisor)
	for _, ref := range []string{o.OrderID, string(o.KlarnaReference), strings.ToLower(string(o.KlarnaReference)),
		string(o.MerchantReference1), string(o.Captures[0].Reference), o.Captures[0].CaptureID} {
		r := sup.get("/audit?"+url.Values{"order": {ref}}.Encode(), nil)
		var ids []string
		r.testid("audit-row").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-attempt-id", "")) })
		if r.resp.StatusCode != http.StatusOK || !slices.Equal(ids, []string{"r1"}) {
			t.Errorf("order filter %q: status %d, attempts %v; want [r1]", ref, r.resp.StatusCode, ids)
		}
		row := r.doc.Find(`[data-testid="audit-row"][data-attempt-id="r1"]`)
		if refs := row.Find(`[data-testid="audit-references"]`).Text(); !strings.Contains(refs, string(o.KlarnaReference)) ||
			!strings.Contains(refs, string(o.MerchantReference1)) {
			t.Errorf("the row's references %q lack the order's %s and %s", refs, o.KlarnaReference, o.MerchantReference1)
		}
		if amount := row.Find(`[data-testid="audit-amount"]`).Text(); !strings.ContainsAny(amount, "0123456789") ||
			strings.TrimSpace(amount) == "100" {
			t.Errorf("the row's amount %q is not money in the order's currency", amount)
		}
		csv := sup.get("/audit/export.csv?"+url.Values{"order": {ref}}.Encode(), nil)
		if !strings.Contains(csv.body, o.OrderID) || strings.Contains(csv.body, other.OrderID) {
			t.Errorf("export filtered by %q does not hold exactly the order's change:\n%s", ref, csv.body)
		}
		if !strings.HasSuffix(strings.TrimSpace(csv.body), ","+string(o.KlarnaReference)+","+string(o.MerchantReference1)) {
			t.Errorf("the exported change lacks the order's references %s, %s:\n%s", o.KlarnaReference, o.MerchantReference1, csv.body)
		}
	}
}
