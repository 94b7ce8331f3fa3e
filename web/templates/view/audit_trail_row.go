package view

import (
	"strconv"
	"strings"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/orders"
)

// AuditRow is one attempt in the audit trail table.
type AuditRow struct {
	AttemptID, Href string
	Time            Time
	Staff           string
	OrderID         string
	OrderHref       string
	Action          string
	Outcome         Badge
	HTTPStatus      string
	ErrorCode       string
	CorrelationID   string
	Duration        string
	Review          Badge
	// Amount is the change's amount in the order's currency, and
	// References the order's provider and merchant references, both from
	// the order index ("" when the order is not indexed); set by WithOrder.
	Amount, References string
	// ApprovedBy is who approved a change that needed a second person;
	// Staff is then who asked for it (set by WithApproval).
	ApprovedBy string
}

// WithApproval names who asked for and who approved a change sent after
// approval: the attempt's actor is whoever sent it, which for an approved
// change is its approver, not the agent who asked.
func (r *AuditRow) WithApproval(a audit.Approval) {
	if a.ApprovedBy == "" {
		return
	}
	r.ApprovedBy = a.ApprovedBy
	if a.RequestedBy != "" {
		r.Staff = a.RequestedBy
	}
}

// WithOrder adds what the order index knows of the row's order: the
// amount in its currency (the audit log keeps minor units) and its
// references, which staff recognise sooner than an order id.
func (r *AuditRow) WithOrder(o orders.IndexedOrder, amount int64, numbers string) {
	if amount != 0 && o.Currency != "" {
		r.Amount = newMoney(amount, o.Currency, numbers).Text
	}
	var refs []string
	for _, ref := range []string{o.KlarnaReference, o.MerchantReference1} {
		if ref != "" {
			refs = append(refs, ref)
		}
	}
	r.References = strings.Join(refs, " · ")
}

// NewAuditRow builds a table row from the search index.
func NewAuditRow(r audit.AttemptRow, loc *time.Location) AuditRow {
	row := AuditRow{
		AttemptID: r.AttemptID, Href: AttemptHref(r.AttemptID), Time: newTime(r.Time, loc),
		Staff: orDash(r.StaffEmail), OrderID: r.OrderID, Action: auditActionName(r.Action),
		Outcome: outcomeBadge(r.Outcome), ErrorCode: r.ErrorCode, CorrelationID: r.CorrelationID,
		Review: reviewBadge(r.Review),
	}
	if r.OrderID != "" {
		row.OrderHref = OrderPath(r.OrderID)
	}
	if r.HTTPStatus != 0 {
		row.HTTPStatus = strconv.Itoa(r.HTTPStatus)
	}
	if r.Outcome != "" {
		row.Duration = strconv.FormatInt(r.DurationMS, 10) + " ms"
	}
	return row
}
