package view

import (
	"net/url"
	"strconv"
	"strings"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// auditActionName is an action in words ("Capture"), from the operation
// catalogue (orders.Info).
func auditActionName(action string) string {
	if o, ok := orders.Info(omclient.Operation(action)); ok {
		return o.AuditLabel
	}
	if name, ok := shopActionNames[action]; ok {
		return name
	}
	return humanize(action)
}

// KnownAuditAction reports whether action is an order-change action.
func KnownAuditAction(action string) bool {
	_, ok := orders.Info(omclient.Operation(action))
	return ok
}

// outcomeTexts are the outcomes in words.
var outcomeTexts = map[audit.Outcome]string{
	audit.OutcomeSucceeded: "Succeeded",
	audit.OutcomeRefused:   "Refused",
	audit.OutcomeFailed:    "Failed, not sent",
	audit.OutcomeUnknown:   "Unknown",
	audit.OutcomePending:   "In progress",
}

// outcomeBadge is an attempt's outcome as a badge; the word carries the
// meaning, the class only the colour.
func outcomeBadge(o audit.Outcome) Badge {
	if o == "" {
		o = audit.OutcomePending
	}
	text, ok := outcomeTexts[o]
	if !ok {
		text = humanize(string(o))
	}
	return Badge{Text: text, Class: "badge badge-" + string(o), Value: string(o)}
}

// reviewBadge is an attempt's review state ("" when not reviewed).
func reviewBadge(review string) Badge {
	switch review {
	case string(audit.ReviewReviewed):
		return Badge{Text: "Reviewed", Class: "badge badge-reviewed", Value: review}
	case string(audit.ReviewFlagged):
		return Badge{Text: "Flagged", Class: "badge badge-flagged", Value: review}
	}
	return Badge{}
}

// AttemptHref is the detail page of an attempt.
func AttemptHref(attemptID string) string { return "/audit/attempts/" + url.PathEscape(attemptID) }

// groupDigits writes 1234567 as "1,234,567".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
