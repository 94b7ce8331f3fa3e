package view

import (
	"strconv"
	"time"

	"ordercare/internal/bulk"
	"ordercare/internal/money"
)

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

// NewBulkJobView builds the progress page of j and its items; counts and
// totals are the items' tally as the handler made it (bulk.Count,
// bulk.Totals), the job's own measure of its progress.
func NewBulkJobView(j bulk.Job, items []bulk.Item, counts bulk.Progress, totals map[string]int64, loc *time.Location, numbers string) BulkJobView {
	v := BulkJobView{ID: j.ID, OpLabel: BulkOpLabel(j.Op), By: j.By.Email, Reason: j.Reason, Ticket: j.Ticket,
		Created: newTime(j.CreatedAt, loc), Finished: j.Finished(), Counts: counts, Totals: bulkTotals(totals, numbers),
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
