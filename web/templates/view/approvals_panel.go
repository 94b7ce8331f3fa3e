package view

// ApprovalPanel is the order page's "Waiting for approval" section.
type ApprovalPanel struct {
	// Loaded: the handler filled it; otherwise the page loads it with
	// htmx (after an in-place change).
	Loaded  bool
	OrderID string
	CSRF    string
	// Open requests (pending, approved, unknown), oldest first.
	Open []ApprovalItem
	// Recent closed requests, newest first (a few).
	Recent []ApprovalItem
}

// ApprovalPanelPath is where the panel loads from.
func ApprovalPanelPath(orderID string) string { return OrderPath(orderID) + "/approvals" }
