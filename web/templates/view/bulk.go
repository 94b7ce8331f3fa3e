package view

import (
	"sort"
	"strconv"
	"time"

	"ordercare/internal/bulk"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// BulkBar is the order list's bulk form: the change to make to the
// ticked orders, or to all orders of the list as filtered (List, the
// list's query string). Only members who change orders get it.
type BulkBar struct {
	CSRF string
	Ops  []Option
	List string
	Max  int
}

// NewBulkBar is the bar for the list of q, status and f.
func NewBulkBar(csrf, q, status string, f ListFilter, limits bulk.Limits) *BulkBar {
	b := &BulkBar{CSRF: csrf, List: ListHrefValues(q, status, f).Encode(), Max: limits.MaxOrders}
	for _, op := range bulk.Ops {
		b.Ops = append(b.Ops, Option{Value: string(op), Label: BulkOpLabel(op)})
	}
	return b
}

// BulkOpLabel names a bulk change as the bar offers it.
func BulkOpLabel(op omclient.Operation) string {
	if op == omclient.OpCreateCapture {
		return "Capture in full"
	}
	return orders.ActionLabel(op)
}

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

// NewBulkConfirm builds the confirmation of op on items.
func NewBulkConfirm(f Form, op omclient.Operation, items []bulk.Item, blocked, numbers string) BulkConfirm {
	v := BulkConfirm{Form: f, OpLabel: BulkOpLabel(op), Explain: bulkExplain[op], Blocked: MoneyIn(blocked, numbers), Totals: BulkTotals(items, numbers)}
	for _, it := range items {
		v.Orders = append(v.Orders, BulkOrderRow{ID: it.OrderID, Reference: bulkRef(it), Href: OrderPath(it.OrderID),
			Amount: money.Show(it.Amount, it.Currency, numbers)})
	}
	return v
}

// BulkTotals are the items' amounts per currency in the person's format
// (money.Show), in currency order.
func BulkTotals(items []bulk.Item, numbers string) []string {
	t := bulk.Totals(items)
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

// BulkJobView is a job's progress page.
type BulkJobView struct {
	ID, OpLabel, By, Reason, Ticket string
	Created                         Time
	Finished                        bool
	Counts                          bulk.Progress
	Totals                          []string
	Rows                            []BulkOrderRow
	// Href is the page; PollHref its progress part, asked every second
	// until the job is finished; ExportHref the outcomes as CSV.
	Href, PollHref, ExportHref string
}

var bulkStates = map[bulk.State]Badge{
	bulk.StatePending:  {Text: "Waiting", Class: "badge badge-closed"},
	bulk.StateInFlight: {Text: "Sending", Class: "badge badge-authorized"},
	bulk.StateSent:     {Text: "Sent", Class: "badge badge-succeeded"},
	bulk.StateRefused:  {Text: "Refused", Class: "badge badge-refused"},
	bulk.StateHeld:     {Text: "Waiting for approval", Class: "badge badge-part_captured"},
	bulk.StateUnknown:  {Text: "Outcome unknown", Class: "badge badge-unknown"},
}

// BulkJobPath is the address of a job's page.
func BulkJobPath(id string) string { return "/bulk/" + id }

// NewBulkJobView builds the progress page of j.
func NewBulkJobView(j bulk.Job, items []bulk.Item, loc *time.Location, numbers string) BulkJobView {
	v := BulkJobView{ID: j.ID, OpLabel: BulkOpLabel(j.Op), By: j.By.Email, Reason: j.Reason, Ticket: j.Ticket,
		Created: newTime(j.CreatedAt, loc), Finished: j.Finished(), Counts: bulk.Count(items), Totals: BulkTotals(items, numbers),
		Href: BulkJobPath(j.ID), PollHref: BulkJobPath(j.ID) + "/progress", ExportHref: BulkJobPath(j.ID) + "/export.csv"}
	for _, it := range items {
		b := bulkStates[it.State]
		b.Value = string(it.State)
		r := BulkOrderRow{Seq: it.Seq, ID: it.OrderID, Reference: bulkRef(it), Href: OrderPath(it.OrderID),
			Amount: money.Show(it.Amount, it.Currency, numbers), State: b, Message: MoneyIn(it.Message, numbers)}
		if it.AttemptID != "" {
			r.AttemptHref = "/audit/attempts/" + it.AttemptID
		}
		if it.ApprovalID != "" {
			r.ApprovalHref = "/approvals/" + it.ApprovalID
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// Summary is the job's progress in one sentence.
func (v BulkJobView) Summary() string {
	c := v.Counts
	done := c.Total - c.Pending - c.InFlight
	s := strconv.Itoa(done) + " of " + strconv.Itoa(c.Total) + " orders done: " + strconv.Itoa(c.Sent) + " sent, " +
		strconv.Itoa(c.Refused) + " refused, " + strconv.Itoa(c.Held) + " waiting for approval, " + strconv.Itoa(c.Unknown) + " unknown."
	if v.Finished {
		return "Finished. " + s
	}
	return s
}
