package view

import (
	"sort"

	"ordercare/internal/bulk"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// BulkOrderRow is one order of a confirmation or a job.
type BulkOrderRow struct {
	Seq       int
	ID        string
	Reference string
	Href      string
	Amount    string
	State     Badge
	Message   string
	// AttemptHref opens the audited attempt; ApprovalHref the request.
	AttemptHref, ApprovalHref string
}

// BulkConfirm is the confirmation page of a bulk change: what, on how
// many orders, how much money per currency, and why.
type BulkConfirm struct {
	Form    Form // Action is the op; Key is the job's id
	OpLabel string
	Explain string
	Orders  []BulkOrderRow
	Totals  []string
	// Blocked says why the member may not start it (a cap); the form is
	// then not offered.
	Blocked string
}

// bulkExplain says what each change does to every order.
var bulkExplain = map[omclient.Operation]string{
	omclient.OpExtendAuthorizationTime: "Each order's authorization is extended, so it can still be captured.",
	omclient.OpCreateCapture:           "Each order's whole remaining authorized amount is captured: the customer is charged and invoiced.",
	omclient.OpCancel:                  "Each order is cancelled: its whole authorization is released and it can no longer be captured. This cannot be undone.",
	omclient.OpReleaseRemaining:        "The part of each order's authorization not captured is released. This cannot be undone.",
}

// NewBulkConfirm builds the confirmation of op on items; totals are the
// items' amounts per currency as the handler summed them (bulk.Totals),
// the sums the job's caps are checked against.
func NewBulkConfirm(f Form, op omclient.Operation, items []bulk.Item, totals map[string]int64, blocked, numbers string) BulkConfirm {
	v := BulkConfirm{Form: f, OpLabel: BulkOpLabel(op), Explain: bulkExplain[op], Blocked: MoneyIn(blocked, numbers), Totals: bulkTotals(totals, numbers)}
	for _, it := range items {
		v.Orders = append(v.Orders, BulkOrderRow{ID: it.OrderID, Reference: bulkRef(it), Href: OrderPath(it.OrderID),
			Amount: money.Show(it.Amount, it.Currency, numbers)})
	}
	return v
}

// bulkTotals are the amounts per currency t in the person's format
// (money.Show), in currency order.
func bulkTotals(t map[string]int64, numbers string) []string {
	curs := make([]string, 0, len(t))
	for c := range t {
		curs = append(curs, c)
	}
	sort.Strings(curs)
	out := make([]string, 0, len(curs))
	for _, c := range curs {
		out = append(out, money.Show(t[c], c, numbers))
	}
	return out
}

func bulkRef(it bulk.Item) string {
	if it.OrderRef != "" {
		return it.OrderRef
	}
	return it.OrderID
}
