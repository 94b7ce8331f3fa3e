package view

import (
	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
)

// ApprovalAmount writes a request's amount in the reader's number format
// ("600,00 €", "€600.00").
func ApprovalAmount(amount int64, currency, numbers string) string {
	return newMoney(amount, currency, numbers).Text
}

// ApprovalWhat names a request's change: "refund of 600.00 EUR",
// "cancellation of an order of 600.00 EUR".
func ApprovalWhat(op omclient.Operation, amount int64, currency, numbers string) string {
	switch op {
	case omclient.OpCancel:
		return "cancellation of an order of " + ApprovalAmount(amount, currency, numbers)
	case omclient.OpReleaseRemaining:
		return "release of a remaining authorization of " + ApprovalAmount(amount, currency, numbers)
	case omclient.OpUpdateAuthorization:
		return "order amount change to " + ApprovalAmount(amount, currency, numbers)
	}
	return "refund of " + ApprovalAmount(amount, currency, numbers)
}

// approvalStatuses are the statuses in words.
var approvalStatuses = map[approvals.Status]struct{ text, class string }{
	approvals.StatusPending:   {"Waiting for approval", "pending"},
	approvals.StatusApproved:  {"Approved, being sent", "checked"},
	approvals.StatusExecuted:  {"Approved and sent", "succeeded"},
	approvals.StatusFailed:    {"Approved, refused by the provider", "failed"},
	approvals.StatusUnknown:   {"Approved, outcome unknown", "unknown"},
	approvals.StatusRejected:  {"Rejected", "rejected"},
	approvals.StatusWithdrawn: {"Withdrawn", "disabled"},
	approvals.StatusExpired:   {"Expired", "expired"},
}

// ApprovalStatusBadge is a request's status as a badge.
func ApprovalStatusBadge(s approvals.Status) Badge {
	st, ok := approvalStatuses[s]
	if !ok {
		st.text, st.class = humanize(string(s)), "unknown"
	}
	return Badge{Text: st.text, Class: "badge badge-" + st.class, Value: string(s)}
}

// ApprovalResource is what an executed request created: "refund <id>".
func ApprovalResource(r approvals.Request) string { return resourceText(string(r.Op), r.ResourceID) }

// resourceText is "refund <id>" for an executed refund.
func resourceText(action, id string) string {
	if id == "" {
		return ""
	}
	if action == string(omclient.OpCreateRefund) {
		return "refund " + id
	}
	return id
}
