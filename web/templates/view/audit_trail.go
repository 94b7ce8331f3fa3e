package view

import (
	"net/url"

	"ordercare/internal/audit"
	"ordercare/internal/orders"
)

// AuditQuery is the audit trail's filters as they stand in the URL, so a
// view can be shared by its address: staff (e-mail), order (id), action,
// outcome, from and to (dates, YYYY-MM-DD, inclusive, in the viewer's
// zone) and text.
type AuditQuery struct {
	Staff, Order, Action, Outcome, From, To, Text string
}

// Values encodes the filters (empty ones left out) and the cursor.
func (q AuditQuery) Values(cursor string) url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"staff", q.Staff}, {"order", q.Order}, {"action", q.Action}, {"outcome", q.Outcome},
		{"from", q.From}, {"to", q.To}, {"text", q.Text}, {"cursor", cursor}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// Href is path with the filters and cursor.
func (q AuditQuery) Href(path, cursor string) string {
	if e := q.Values(cursor).Encode(); e != "" {
		return path + "?" + e
	}
	return path
}

// PendingText says how many money changes await review.
func PendingText(n int64) string {
	if n == 1 {
		return "1 money change"
	}
	return groupDigits(n) + " money changes"
}

// AuditActionOptions is the action filter's choices.
func AuditActionOptions(selected string) []Option {
	out := []Option{{Value: "", Label: "Any action", Selected: selected == ""}}
	for _, o := range orders.Catalogue() {
		out = append(out, Option{Value: string(o.Op), Label: o.AuditLabel, Selected: string(o.Op) == selected})
	}
	return out
}

// AuditOutcomeOptions is the outcome filter's choices.
func AuditOutcomeOptions(selected string) []Option {
	out := []Option{{Value: "", Label: "Any outcome", Selected: selected == ""}}
	for _, o := range audit.Outcomes {
		out = append(out, Option{Value: string(o), Label: outcomeTexts[o], Selected: string(o) == selected})
	}
	return out
}

// AuditView is the audit trail page and its table region.
type AuditView struct {
	Query          AuditQuery
	StaffOptions   []Option
	ActionOptions  []Option
	OutcomeOptions []Option
	// Zone is the viewer's time zone, in which dates are read and shown.
	Zone string
	// Error explains a filter that could not be used (nothing is listed).
	Error     string
	Rows      []AuditRow
	CountText string
	NextHref  string
	FirstHref string
	// ExportHref downloads the attempts of the current filters as CSV.
	ExportHref string
	Chain      ChainView
	// CanVerify shows the "verify now" button (supervisors and admins).
	CanVerify bool
	CSRF      string
	// ReviewText links the to-review queue ("12 money changes to review").
	ReviewText string
}

// AuditCountText says how many attempts match.
func AuditCountText(n int64, filtered bool) string {
	noun, verb := "attempts", "match"
	if n == 1 {
		noun, verb = "attempt", "matches"
	}
	if filtered {
		return groupDigits(n) + " " + noun + " " + verb + " the filters"
	}
	return groupDigits(n) + " " + noun + " in the audit trail"
}
