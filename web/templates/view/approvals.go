package view

import (
	"time"

	"ordercare/internal/approvals"
)

// The four-eyes approval pages: the list, one request with the
// order beside it, and the order page's "Waiting for approval" panel.

// ApprovalViewer is who looks at a request: what they may do with it
// depends on their role and on whether they made it.
type ApprovalViewer struct {
	StaffID int64
	Role    string
	// Numbers is the viewer's number format for amounts (money.Show).
	Numbers string
}

// decides reports whether the viewer's role may approve or reject.
func (v ApprovalViewer) decides() bool { return v.Role == "supervisor" || v.Role == "admin" }

// AllRequests reports whether the viewer sees everyone's requests
// (supervisors, admins, the auditor) or only their own (agents).
func (v ApprovalViewer) AllRequests() bool { return v.Role != "agent" }

// ApprovalTab is one status filter of the list.
type ApprovalTab struct {
	Value, Label, Href string
	Active             bool
}

// Approval list tabs.
const (
	TabWaiting = "waiting"
	TabOpen    = "open"
	TabDecided = "decided"
	TabAll     = "all"
)

var approvalTabs = []struct{ value, label string }{
	{TabWaiting, "Waiting"}, {TabOpen, "Open"}, {TabDecided, "Decided"}, {TabAll, "All"},
}

// ApprovalTabOf reads the tab query parameter (unknown: waiting).
func ApprovalTabOf(s string) string {
	for _, t := range approvalTabs {
		if t.value == s {
			return s
		}
	}
	return TabWaiting
}

// ApprovalsListView is the /approvals page.
type ApprovalsListView struct {
	Tab  string
	Tabs []ApprovalTab
	Rows []ApprovalItem
	// All: the viewer sees everyone's requests; else only their own.
	All bool
	// Empty says why the list is empty, for the tab.
	Empty string
	// Limit is the longest list; Truncated says the list was cut.
	Limit     int
	Truncated bool
	Zone      string
}

// NewApprovalsList builds the list page for tab.
func NewApprovalsList(tab string, rs []approvals.Request, viewer ApprovalViewer, now time.Time, loc *time.Location) ApprovalsListView {
	v := ApprovalsListView{Tab: tab, All: viewer.AllRequests(), Limit: approvals.DefaultLimit,
		Truncated: len(rs) >= approvals.DefaultLimit, Zone: loc.String()}
	for _, t := range approvalTabs {
		v.Tabs = append(v.Tabs, ApprovalTab{Value: t.value, Label: t.label, Href: "/approvals?status=" + t.value, Active: t.value == tab})
	}
	for _, r := range rs {
		v.Rows = append(v.Rows, NewApprovalItem(r, viewer, now, loc))
	}
	switch tab {
	case TabWaiting:
		v.Empty = "Nothing is waiting for approval."
	case TabOpen:
		v.Empty = "No open requests."
	case TabDecided:
		v.Empty = "No decided requests yet."
	default:
		v.Empty = "No requests yet."
	}
	return v
}
