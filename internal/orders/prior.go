package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/omclient"
)

// RecentChanges returns the order's money changes since a time, newest
// first: its attempts (settled by a check where one proved the outcome) and
// its four-eyes requests that were not sent.
func (s *Service) RecentChanges(ctx context.Context, orderID string, since time.Time) ([]PriorChange, error) {
	recs, err := s.log.OrderMoneyRecords(ctx, orderID)
	if err != nil {
		return nil, fmt.Errorf("%w: recent changes of %s: %w", ErrAudit, orderID, err)
	}
	return priorChanges(recs, since, s.now()), nil
}

// orderRecords are an order's money records as Apply read them for the
// intent checks, under the order's lock: handed to the guard in its
// context (RecordsRead), so the four-eyes window does not read the same
// events again on the way to the provider.
type orderRecords struct {
	orderID string
	recs    []audit.MoneyRecord
}

type recordsKey struct{}

// withRecords carries r in ctx (nil r: ctx as it is).
func withRecords(ctx context.Context, r *orderRecords) context.Context {
	if r == nil {
		return ctx
	}
	return context.WithValue(ctx, recordsKey{}, r)
}

// RecordsRead returns the order's money records (audit.Log.
// OrderMoneyRecords) when the pipeline has just read them for the change
// being guarded; ok is false otherwise, and the caller reads them itself.
func RecordsRead(ctx context.Context, orderID string) (recs []audit.MoneyRecord, ok bool) {
	r, _ := ctx.Value(recordsKey{}).(*orderRecords)
	if r == nil || r.orderID != orderID {
		return nil, false
	}
	return r.recs, true
}

// PriorChangesOf is RecentChanges on records the order page has already
// read in full (its attempts, their settlements, its approval steps).
func PriorChangesOf(attempts []audit.Attempt, settled map[string]audit.Settlement, steps []audit.Event, since, now time.Time) []PriorChange {
	var recs []audit.MoneyRecord
	for i := len(attempts) - 1; i >= 0; i-- { // attempts are newest first, records oldest first
		a := attempts[i]
		r := a.Requested
		recs = append(recs, audit.MoneyRecord{Seq: r.Seq, Kind: audit.KindRequested, Time: r.Time, AttemptID: a.AttemptID,
			Action: r.Action, IdempotencyKey: r.IdempotencyKey, Email: r.Actor.Email, Amount: requestedAmount(r),
			Currency: r.Detail["currency"], ApprovalID: r.Detail["approval_id"]})
		if c := a.Completed; c != nil {
			recs = append(recs, audit.MoneyRecord{Seq: c.Seq, Kind: audit.KindCompleted, AttemptID: a.AttemptID,
				Outcome: c.Outcome, ResourceID: c.ResourceID})
		}
		if st, ok := settled[a.AttemptID]; ok {
			recs = append(recs, audit.MoneyRecord{Kind: audit.KindReconciled, AttemptID: a.AttemptID,
				Settled: st.Outcome, ResourceID: st.ResourceID})
		}
	}
	for _, e := range steps {
		recs = append(recs, audit.MoneyRecord{Seq: e.Seq, Kind: audit.KindApproval, Time: e.Time, Action: e.Action,
			IdempotencyKey: e.IdempotencyKey, Email: e.Actor.Email, Amount: parseAmount(e.Detail["amount"]),
			Currency: e.Detail["currency"], ApprovalID: e.Detail["approval_id"], Step: e.Detail["step"],
			ExpiresAt: e.Detail["expires_at"]})
	}
	return priorChanges(recs, since, now)
}

// priorChanges joins an order's records (oldest first) into its money
// changes since a time, newest first.
func priorChanges(recs []audit.MoneyRecord, since, now time.Time) []PriorChange {
	completed := map[string]audit.MoneyRecord{}
	settled := map[string]audit.MoneyRecord{}
	var requested, steps []audit.MoneyRecord
	for _, m := range recs {
		switch m.Kind {
		case audit.KindRequested:
			requested = append(requested, m)
		case audit.KindCompleted:
			completed[m.AttemptID] = m // the latest, should one ever be doubled
		case audit.KindReconciled:
			if m.Settled != "" {
				settled[m.AttemptID] = m // the latest check
			}
		case audit.KindApproval:
			steps = append(steps, m)
		}
	}
	var out []PriorChange
	for _, r := range slices.Backward(requested) {
		op := omclient.Operation(r.Action)
		if !MoneyOp(op) || r.Time.Before(since) {
			continue
		}
		p := PriorChange{Op: op, Amount: r.Amount, Currency: r.Currency, By: r.Email, At: r.Time,
			AttemptID: r.AttemptID, ApprovalID: r.ApprovalID, IdempotencyKey: r.IdempotencyKey, State: PriorUnknown}
		if c, ok := completed[r.AttemptID]; ok {
			switch c.Outcome {
			case audit.OutcomeSucceeded:
				p.State, p.ResourceID = PriorSucceeded, c.ResourceID
			case audit.OutcomeRefused, audit.OutcomeFailed:
				p.State = PriorNotApplied
			}
		}
		// Unknown, or still open (cut off before its outcome): a check may
		// have settled it.
		if st, ok := settled[r.AttemptID]; ok && p.State == PriorUnknown {
			p.State, p.ResourceID = PriorSucceeded, st.ResourceID
			if st.Settled == audit.SettledNotApplied {
				p.State, p.ResourceID = PriorNotApplied, ""
			}
		}
		out = append(out, p)
	}
	out = append(out, openRequests(steps, since, now)...)
	slices.SortStableFunc(out, func(a, b PriorChange) int { return b.At.Compare(a.At) })
	return out
}

// requestedAmount is the amount an attempt asked for, from the body as
// sent (0 for a cancellation or release: no body).
func requestedAmount(r audit.Event) int64 {
	var b struct {
		Captured *int64 `json:"captured_amount"`
		Refunded *int64 `json:"refunded_amount"`
		Order    *int64 `json:"order_amount"`
	}
	if len(r.Request) > 0 && json.Unmarshal(r.Request, &b) == nil {
		for _, p := range []*int64{b.Captured, b.Refunded, b.Order} {
			if p != nil {
				return *p
			}
		}
	}
	return 0
}

// openRequests are the four-eyes requests since a time that were not sent:
// waiting for a decision, approved and being sent, or closed. A request
// that was sent is its attempt (executed steps are left out).
func openRequests(steps []audit.MoneyRecord, since, now time.Time) []PriorChange {
	byID := map[string]*PriorChange{}
	var order []string
	for _, e := range steps {
		id := e.ApprovalID
		if id == "" {
			continue
		}
		switch e.Step {
		case "requested":
			amount := e.Amount
			op := omclient.Operation(e.Action)
			if op == omclient.OpCancel || op == omclient.OpReleaseRemaining {
				amount = 0 // cancellations match by kind alone, as the pipeline's own
			}
			p := &PriorChange{Op: op, Amount: amount, Currency: e.Currency, By: e.Email,
				At: e.Time, State: PriorPending, ApprovalID: id, IdempotencyKey: e.IdempotencyKey}
			if exp, err := time.Parse(time.RFC3339Nano, e.ExpiresAt); err == nil && !now.Before(exp) {
				p.State = PriorClosed
			}
			byID[id] = p
			order = append(order, id)
		case "approved":
			if p := byID[id]; p != nil && p.State == PriorPending {
				p.State = PriorApproved
			}
		case "executed":
			delete(byID, id)
		default: // rejected, withdrawn, expired
			if p := byID[id]; p != nil {
				p.State = PriorClosed
			}
		}
	}
	var out []PriorChange
	for _, id := range order {
		if p := byID[id]; p != nil && !p.At.Before(since) && MoneyOp(p.Op) {
			out = append(out, *p)
		}
	}
	return out
}

// parseAmount reads an approval step's amount ("12345"); 0 when it is
// missing or unreadable, as SQLite's CAST reads it for OrderMoneyRecords.
func parseAmount(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
