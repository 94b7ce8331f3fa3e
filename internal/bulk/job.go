// Package bulk runs one change on many orders: extend, capture in full,
// cancel or release the orders an agent ticked on the order list. A job
// is stored in admin.db with one item per order before anything is sent,
// and a background runner takes the items one at a time, at a bounded
// rate, through the one change pipeline (orders.Service.Apply): each
// order is its own attempt, audited before and after, with an
// idempotency key of its own, and the four-eyes guard and the intent
// checks apply to it as to a form. An order the guard holds becomes an
// approval request instead of being sent.
//
// A job survives a restart, kill -9 included: pending items are taken up
// again; an item that was in flight is settled from the audit log by its
// idempotency key (the pipeline's start-up recovery marks an attempt
// without an answer as unknown), and never sent a second time by the job.
package bulk

import (
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// Ops are the changes a job may make, in the order the list offers them.
var Ops = []omclient.Operation{
	omclient.OpExtendAuthorizationTime, omclient.OpCreateCapture, omclient.OpCancel, omclient.OpReleaseRemaining,
}

// Allowed reports whether op is one of Ops.
func Allowed(op omclient.Operation) bool {
	for _, o := range Ops {
		if o == op {
			return true
		}
	}
	return false
}

// Job is one bulk change: who started it, what and why.
type Job struct {
	ID        string
	CreatedAt time.Time
	Op        omclient.Operation
	// Reason and Ticket go on every order's attempt, as a form's would.
	Reason, Ticket string
	// By started the job; every attempt is theirs in the audit log.
	By audit.Actor
	// FinishedAt is set once no item is pending or in flight.
	FinishedAt time.Time
}

// Finished reports whether every item has its outcome.
func (j Job) Finished() bool { return !j.FinishedAt.IsZero() }

// State is where one order of a job stands.
type State string

const (
	// StatePending: not taken up yet.
	StatePending State = "pending"
	// StateInFlight: being sent now (or when the process stopped).
	StateInFlight State = "in_flight"
	// StateSent: the provider applied the change.
	StateSent State = "sent"
	// StateRefused: not applied, Message says why (the provider refused,
	// or a check before sending stopped it and nothing was sent).
	StateRefused State = "refused"
	// StateHeld: the four-eyes policy holds it; ApprovalID names the
	// request a supervisor decides.
	StateHeld State = "held"
	// StateUnknown: sent, but the answer was lost; the order page's
	// "Check now" settles it with the provider.
	StateUnknown State = "unknown"
)

// States are every State, in the order a job's page lists them.
var States = []State{StatePending, StateInFlight, StateSent, StateRefused, StateHeld, StateUnknown}

// Item is one order of a job.
type Item struct {
	JobID string
	Seq   int
	// OrderID and OrderRef (the provider's reference) name the order.
	OrderID, OrderRef string
	// Currency and Amount are the money the change concerns, as the
	// index knew it when the job was confirmed: what a full capture or a
	// release takes, the order amount of a cancellation, the remaining
	// authorization an extension keeps alive.
	Currency string
	Amount   int64
	State    State
	// Message says why an order was refused or held, or what is unknown.
	Message string
	// AttemptID is the audited attempt; ApprovalID the approval request.
	AttemptID, ApprovalID string
	UpdatedAt             time.Time
}

// Key is the idempotency key of the item's change: one per order per job,
// so a resumed job meets its own earlier attempt instead of sending again.
func (it Item) Key() string { return "bulk-" + it.JobID + "-" + it.OrderID }

// Totals sums items' amounts per currency.
func Totals(items []Item) map[string]int64 {
	out := map[string]int64{}
	for _, it := range items {
		out[it.Currency] += it.Amount
	}
	return out
}

// Progress counts a job's items by state.
type Progress struct {
	Total, Pending, InFlight, Sent, Refused, Held, Unknown int
}

// Count counts items.
func Count(items []Item) Progress {
	p := Progress{Total: len(items)}
	for _, it := range items {
		switch it.State {
		case StatePending:
			p.Pending++
		case StateInFlight:
			p.InFlight++
		case StateSent:
			p.Sent++
		case StateRefused:
			p.Refused++
		case StateHeld:
			p.Held++
		case StateUnknown:
			p.Unknown++
		}
	}
	return p
}
