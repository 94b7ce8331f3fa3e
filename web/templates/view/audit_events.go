package view

import (
	"net/url"
	"strings"
	"time"

	"ordercare/internal/audit"
)

// EventRow is one event of the other-events list.
type EventRow struct {
	Seq     int64
	Time    Time
	Kind    string
	Staff   string
	Summary string
	Href    string // the attempt, for reviews and checks
}

// EventsView is the page of events that are not attempts.
type EventsView struct {
	Kind      string
	Kinds     []Option
	Rows      []EventRow
	NextHref  string
	FirstHref string
	Zone      string
}

// eventKinds are the kinds the other-events page filters by.
var eventKinds = []struct{ Value, Label string }{
	{string(audit.KindSignIn), "Sign-in"}, {string(audit.KindSignInFailed), "Failed sign-in"},
	{string(audit.KindSignOut), "Sign-out"}, {string(audit.KindLockout), "Lockout"},
	{string(audit.KindStaff), "Staff change"}, {string(audit.KindExport), "Export"},
	{string(audit.KindVerify), "Verification"}, {string(audit.KindReview), "Review"},
	{string(audit.KindReconciled), "Check with the provider"},
	{string(audit.KindApproval), "Four-eyes approval"},
	{string(audit.KindAcknowledged), "Acknowledged restore"},
	{string(audit.KindSecondFactor), "Second factor"},
	{string(audit.KindNote), "Internal note"},
}

// eventKindName is an event kind in words.
func eventKindName(k audit.Kind) string {
	for _, e := range eventKinds {
		if e.Value == string(k) {
			return e.Label
		}
	}
	return humanize(string(k))
}

// NewEventsView builds the other-events page.
func NewEventsView(p audit.EventPage, kind, cursor string, loc *time.Location, numbers string) EventsView {
	v := EventsView{Kind: kind, Zone: loc.String()}
	v.Kinds = append(v.Kinds, Option{Value: "", Label: "Any kind", Selected: kind == ""})
	for _, k := range eventKinds {
		v.Kinds = append(v.Kinds, Option{Value: k.Value, Label: k.Label, Selected: k.Value == kind})
	}
	for _, e := range p.Events {
		row := EventRow{Seq: e.Seq, Time: newTime(e.Time, loc), Kind: eventKindName(e.Kind), Staff: orDash(e.Actor.Email),
			Summary: eventSummary(e, numbers)}
		if e.AttemptID != "" {
			row.Href = AttemptHref(e.AttemptID)
		}
		if e.Kind == audit.KindApproval && e.Detail["approval_id"] != "" {
			row.Href = ApprovalHref(e.Detail["approval_id"])
		}
		v.Rows = append(v.Rows, row)
	}
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if p.Next != "" {
		q.Set("cursor", string(p.Next))
		v.NextHref = "/audit/events?" + q.Encode()
	}
	if cursor != "" {
		q.Del("cursor")
		v.FirstHref = "/audit/events"
		if e := q.Encode(); e != "" {
			v.FirstHref += "?" + e
		}
	}
	return v
}

// eventSummary says in one line what an event records.
func eventSummary(e audit.Event, numbers string) string {
	d := e.Detail
	switch e.Kind {
	case audit.KindStaff:
		return joinNonEmpty(" ", humanize(d["change"]), d["target_email"], d["from"], arrowTo(d["to"]))
	case audit.KindExport:
		var parts []string
		for _, f := range sortedFields(d) {
			if strings.HasPrefix(f.Label, "filter.") {
				parts = append(parts, strings.TrimPrefix(f.Label, "filter.")+"="+f.Value)
			}
		}
		if len(parts) == 0 {
			return "CSV export of the whole audit trail"
		}
		return "CSV export: " + strings.Join(parts, ", ")
	case audit.KindVerify:
		if d["ok"] == "true" {
			return "Verified " + d["events"] + " events: intact"
		}
		return "Verified " + d["events"] + " events: does not verify"
	case audit.KindReview:
		return joinNonEmpty(": ", humanize(d["review"])+" "+auditActionName(e.Action)+" on order "+e.OrderID, e.Reason)
	case audit.KindReconciled:
		return "Checked order " + e.OrderID + " with the provider: status " + orDash(d["status"])
	case audit.KindApproval:
		return approvalSummary(e, numbers)
	case audit.KindAcknowledged:
		return joinNonEmpty(": ", d["summary"], e.Reason)
	case audit.KindSecondFactor:
		return joinNonEmpty(" ", humanize(d["factor"]), humanize(d["step"]), d["target_email"], e.Reason)
	}
	return e.Reason
}

func arrowTo(s string) string {
	if s == "" {
		return ""
	}
	return "→ " + s
}
