package view

import (
	"strconv"
	"time"

	"ordercare/internal/audit"
)

// ReviewEntry is a review or a check of an attempt.
type ReviewEntry struct {
	Time    Time
	By      string
	What    Badge
	Comment string
	Detail  []Field
}

// AttemptView is the detail page of one attempt.
type AttemptView struct {
	Row   AuditRow
	Title string
	// Reason and Ticket are what the agent gave for the change.
	Reason, Ticket, IdempotencyKey string
	// RequestBody is the request exactly as sent, pretty-printed when it
	// is JSON; RequestRaw says whether it was shown unchanged.
	RequestBody string
	Changes     []ChangeRow
	// Answer is the provider's answer: outcome, status, codes, ids.
	Answer        []Field
	ErrorMessages []string
	Requested     EventView
	Completed     *EventView
	Reviews       []ReviewEntry
	// CanReview shows the review form and, for unknown outcomes, the
	// "check now" button (supervisors and admins; never the auditor).
	CanReview bool
	CanCheck  bool
	CSRF      string
	// Comment and Error keep a review that was refused.
	Comment, Error string
}

// NewAttemptView builds the detail page of an attempt.
func NewAttemptView(a audit.Attempt, row audit.AttemptRow, reviews []audit.Event, loc *time.Location, numbers string) AttemptView {
	r := a.Requested
	v := AttemptView{
		Row:    NewAuditRow(row, loc),
		Title:  auditActionName(r.Action) + " on order " + r.OrderID,
		Reason: r.Reason, Ticket: r.Ticket, IdempotencyKey: r.IdempotencyKey,
		RequestBody: prettyJSON(r.Request),
		Requested:   newEventView(r, loc),
	}
	var after map[string]string
	if c := a.Completed; c != nil {
		ev := newEventView(*c, loc)
		v.Completed = &ev
		after = c.After
		v.ErrorMessages = c.ErrorMessages
		add := func(label, value string) {
			if value != "" {
				v.Answer = append(v.Answer, Field{Label: label, Value: value})
			}
		}
		add("Outcome", outcomeBadge(c.Outcome).Text)
		if c.HTTPStatus != 0 {
			add("HTTP status", strconv.Itoa(c.HTTPStatus))
		}
		add("Error code", c.ErrorCode)
		add("Correlation id", c.CorrelationID)
		add("Capture or refund id", c.ResourceID)
		add("Duration", strconv.FormatInt(c.DurationMS, 10)+" ms")
		add("Calls sent", c.Detail["attempts"])
		add("Error", c.Detail["error"])
		add("Warning", c.Detail["warning"])
		add("Note", c.Detail["note"])
	}
	v.Changes = changeRows(r.Before, after, numbers)
	for _, e := range reviews {
		entry := ReviewEntry{Time: newTime(e.Time, loc), By: orDash(e.Actor.Email), Comment: e.Reason}
		switch e.Kind {
		case audit.KindReview:
			entry.What = reviewBadge(e.Detail["review"])
		case audit.KindReconciled:
			entry.What = Badge{Text: "Checked with the provider", Class: "badge badge-checked", Value: "checked"}
			// What the check saw and why it decided, amounts in the
			// log's plain form ("40.00 EUR"), read like the rest of the
			// page.
			d := map[string]string{}
			for k, val := range e.Detail {
				if k != "requested_seq" {
					d[k] = MoneyIn(val, numbers)
				}
			}
			entry.Detail = sortedFields(d)
		}
		v.Reviews = append(v.Reviews, entry)
	}
	return v
}
