package view

// OutboxView is the /outbox page: outbound events by delivery state.
type OutboxView struct {
	// Off: outbound events are not configured; the page says how to turn
	// them on.
	Off bool
	// Target is the receiving URL's host, so an admin sees where events go.
	Target                              string
	Pending, Failing, Failed, Delivered int
	// PendingRows are waiting or retrying (due first); FailedRows gave up;
	// DeliveredRows are the latest delivered.
	PendingRows, FailedRows, DeliveredRows []OutboxRow
}

// OutboxRow is one outbound event.
type OutboxRow struct {
	ID        string // outbox row id, for the retry form
	EventID   string
	OrderID   string
	OrderHref string
	Action    string
	Outcome   string
	Attempts  int
	LastError string
	// Created, Next and Delivered are formatted in the viewer's zone; Next
	// is empty unless the row is waiting.
	Created, Next, Delivered string
	// Failing: tried at least once and not delivered yet.
	Failing bool
}

// RetryHref is where the row's retry form posts.
func (r OutboxRow) RetryHref() string { return "/outbox/" + r.ID + "/retry" }
