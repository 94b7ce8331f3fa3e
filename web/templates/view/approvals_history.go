package view

import (
	"sort"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// MergeApprovalHistory adds the order's approval steps (audit events of
// kind approval, package approvals) to its history, newest first, so the
// History section shows each four-eyes request's whole path: requested,
// approved or rejected, withdrawn, expired, sent with its outcome. The
// attempt that sent an approved change is already in items, as an
// ordinary change by the approver. Each step links to its request for a
// viewer who may open it: linkAll (supervisors, admins, the auditor), or
// the requester (viewerEmail).
func MergeApprovalHistory(items []HistoryItem, events []audit.Event, loc *time.Location, linkAll bool, viewerEmail, numbers string) []HistoryItem {
	if len(events) == 0 {
		return items
	}
	for _, e := range events {
		st := NewApprovalStep(e, loc, numbers)
		amount, _ := strconv.ParseInt(e.Detail["amount"], 10, 64)
		change := auditActionName(e.Action) + " " + ApprovalAmount(amount, e.Detail["currency"], numbers)
		if omclient.Operation(e.Action) == omclient.OpCancel {
			change = "Cancel of an order of " + ApprovalAmount(amount, e.Detail["currency"], numbers)
		}
		it := HistoryItem{Time: st.Time, at: st.at, Source: "approval", Staff: st.Who, Detail: st.Detail}
		if linkAll || (viewerEmail != "" && e.Detail["requested_by"] == viewerEmail) {
			it.Href = ApprovalHref(e.Detail["approval_id"])
		}
		switch st.Step {
		case "requested":
			it.Title = change + " requested for approval"
		case "approved", "rejected", "withdrawn":
			it.Title = change + " " + st.Step
		case "expired":
			it.Title = change + ": approval request expired"
			it.Staff = ""
		case "executed":
			it.Title = "Approved " + LowerFirst(change) + " sent"
			it.Outcome = st.Outcome
			it.Detail = joinNonEmpty(" · ", e.ErrorCode, replayedText(e))
			it.ResourceID = e.ResourceID
		default:
			it.Title = change + ": " + st.What
		}
		items = append(items, it)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].at.After(items[j].at) })
	return items
}

func replayedText(e audit.Event) string {
	if e.Detail["replayed"] == "true" {
		return "answered from the earlier send"
	}
	return ""
}

// LowerFirst lowers the first letter of a sentence to continue another
// ("Approved by x" -> "already approved by x").
func LowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// approvalSummary is an approval event in one line for the audit events
// page: "Approved: refund of €600.00 on order <id> (requested by x):
// comment".
func approvalSummary(e audit.Event, numbers string) string {
	st := NewApprovalStep(e, time.UTC, numbers)
	amount, _ := strconv.ParseInt(e.Detail["amount"], 10, 64)
	what := ApprovalWhat(omclient.Operation(e.Action), amount, e.Detail["currency"], numbers)
	return joinNonEmpty(": ", st.What+": "+what+" on order "+e.OrderID+" (requested by "+orDash(e.Detail["requested_by"])+")", st.Detail)
}
