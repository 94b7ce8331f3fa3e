package view

import (
	"time"

	"ordercare/internal/orders"
)

// UnsettledItem is one change with an unknown outcome, shown first on the
// order page with "Check now".
type UnsettledItem struct {
	Line      string
	AttemptID string
	// CheckPath is where "Check now" posts ("" for a viewer who may not
	// record a check: the auditor).
	CheckPath string
	// Href opens the attempt in the audit trail ("" for agents).
	Href string
}

// UnsettledPanel is the order page's list of unknown outcomes.
type UnsettledPanel struct {
	Items []UnsettledItem
	CSRF  string
}

// CheckPath is where "Check now" posts for an attempt of an order.
func CheckPath(orderID, attemptID string) string {
	return OrderPath(orderID) + "/attempts/" + attemptID + "/check"
}

// NewUnsettledPanel lists the unknown outcomes among prior.
func NewUnsettledPanel(orderID string, prior []orders.PriorChange, numbers string, now time.Time, loc *time.Location, linkAudit bool, csrf string) UnsettledPanel {
	p := UnsettledPanel{CSRF: csrf}
	for _, c := range prior {
		if c.State != orders.PriorUnknown {
			continue
		}
		it := UnsettledItem{Line: PriorLine(c, numbers, now, loc), AttemptID: c.AttemptID, CheckPath: CheckPath(orderID, c.AttemptID)}
		if linkAudit {
			it.Href = AttemptHref(c.AttemptID)
		}
		p.Items = append(p.Items, it)
	}
	return p
}
