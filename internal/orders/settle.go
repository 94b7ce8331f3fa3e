package orders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// Settling an unknown outcome: the answer to a change was lost, so the
// order is read from the provider and its captures or refunds (ids,
// amounts, times) are compared with the attempt. When they prove the
// change applied, or prove it absent, that is recorded as a new audit
// event (audit.Log.Settle) and the order is free for new changes again;
// when they cannot prove either, the check is recorded as what was seen
// and the attempt stays unknown.

// SettleGrace is how long after an attempt's lost answer the provider may
// still be working on it: before then an order without the change does not
// prove it was not applied.
const SettleGrace = time.Minute

// ErrNotUnknown: the attempt's outcome is known already; nothing to settle.
var ErrNotUnknown = errors.New("orders: the attempt's outcome is not unknown")

// Settlement is what a check of an unknown outcome found.
type Settlement struct {
	// Outcome is audit.SettledApplied, audit.SettledNotApplied, or "" when
	// the provider's order could not prove either.
	Outcome string
	// ResourceID is the capture or refund found for the attempt.
	ResourceID string
	// Why says what proved it, or why nothing could be proved.
	Why   string
	Order *omclient.Order
}

// Settle reads the order of an attempt whose outcome is unknown and
// records what the provider's order proves about it (see Settlement). It
// runs under the order's lock, so no change to the order is sent while it
// reads. A provider read error records nothing.
func (s *Service) Settle(ctx context.Context, actor audit.Actor, attemptID string) (Settlement, error) {
	a, err := s.log.Attempt(ctx, attemptID)
	if err != nil {
		return Settlement{}, err
	}
	orderID := a.Requested.OrderID
	unlock, err := s.locks.lock(ctx, orderID)
	if err != nil {
		return Settlement{}, fmt.Errorf("orders: waiting for another change to order %s: %w", orderID, err)
	}
	defer unlock()
	// Read again under the lock: a retry of its key may have settled it.
	if a, err = s.log.Attempt(ctx, attemptID); err != nil {
		return Settlement{}, err
	}
	settled, err := s.log.OrderSettlements(ctx, orderID)
	if err != nil {
		return Settlement{}, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	if o := a.Outcome(); o == audit.OutcomeSucceeded || o == audit.OutcomeRefused || o == audit.OutcomeFailed {
		return Settlement{}, ErrNotUnknown
	}
	if _, done := settled[attemptID]; done {
		return Settlement{}, ErrNotUnknown
	}
	o, err := s.GetOrder(ctx, orderID)
	if err != nil {
		return Settlement{}, err
	}
	attempts, err := s.log.OrderAttempts(ctx, orderID)
	if err != nil {
		return Settlement{}, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	st := judge(a, o, claimedIDs(attempts, settled), s.now())
	st.Order = o
	observed := ObservedOrder(o)
	if st.Outcome == "" {
		observed["settle_failed_why"] = st.Why
		_, err = s.log.Reconciled(ctx, actor, attemptID, observed)
	} else {
		_, err = s.log.Settle(ctx, actor, attemptID, st.Outcome, st.ResourceID, st.Why, observed)
	}
	if err != nil {
		return Settlement{}, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	return st, nil
}

// claimedIDs are the capture and refund ids other attempts of the order
// already account for: they cannot prove this one.
func claimedIDs(attempts []audit.Attempt, settled map[string]audit.Settlement) map[string]bool {
	ids := map[string]bool{}
	for _, a := range attempts {
		if a.Completed != nil && a.Completed.ResourceID != "" {
			ids[a.Completed.ResourceID] = true
		}
	}
	for _, st := range settled {
		if st.ResourceID != "" {
			ids[st.ResourceID] = true
		}
	}
	return ids
}

// judge decides what order o proves about attempt a.
func judge(a audit.Attempt, o *omclient.Order, claimed map[string]bool, now time.Time) Settlement {
	r := a.Requested
	cur := o.PurchaseCurrency.String()
	show := func(v int64) string { return money.FormatPlain(v, cur) + " " + cur }
	// The provider may still apply a request whose answer was lost a
	// moment ago; only after the grace does its absence prove anything.
	lostAt := r.Time
	if a.Completed != nil {
		lostAt = a.Completed.Time
	}
	graceOver := !now.Before(lostAt.Add(SettleGrace))
	notYet := "The provider does not show it yet, but may still be applying it: check again after " +
		lostAt.Add(SettleGrace).UTC().Format("15:04:05") + " UTC."
	amount := requestedAmount(r)
	switch op := omclient.Operation(r.Action); op {
	case omclient.OpCreateCapture, omclient.OpCreateRefund:
		type item struct {
			id     string
			amount int64
			at     time.Time
		}
		var items []item
		var listed int64
		kind, total := "capture", o.CapturedAmount
		if op == omclient.OpCreateRefund {
			kind, total = "refund", o.RefundedAmount
			for _, x := range o.Refunds {
				items = append(items, item{x.RefundID, x.RefundedAmount, x.RefundedAt.Time})
			}
		} else {
			for _, x := range o.Captures {
				items = append(items, item{x.CaptureID, x.CapturedAmount, x.CapturedAt.Time})
			}
		}
		var found []item
		for _, it := range items {
			listed += it.amount
			// A minute of clock difference between us and the provider.
			if !claimed[it.id] && it.amount == amount && (it.at.IsZero() || !it.at.Before(r.Time.Add(-time.Minute))) {
				found = append(found, it)
			}
		}
		switch {
		case len(found) == 1:
			return Settlement{Outcome: audit.SettledApplied, ResourceID: found[0].id,
				Why: "The provider shows " + kind + " " + found[0].id + " of " + show(amount) + ", made " +
					found[0].at.UTC().Format(time.RFC3339) + ", that no other attempt accounts for."}
		case len(found) > 1:
			ids := make([]string, 0, len(found))
			for _, f := range found {
				ids = append(ids, f.id)
			}
			return Settlement{Why: "The provider shows " + strconv.Itoa(len(found)) + " " + kind + "s of " + show(amount) +
				" since the attempt that no attempt accounts for (" + strings.Join(ids, ", ") +
				"), so which one it made cannot be told. Check them in the provider's portal."}
		case listed != total:
			return Settlement{Why: "The provider's list of " + kind + "s (" + show(listed) + ") does not add up to the order's total (" +
				show(total) + "), so the absence of this one proves nothing."}
		case !graceOver:
			return Settlement{Why: notYet}
		}
		return Settlement{Outcome: audit.SettledNotApplied,
			Why: "The provider shows no " + kind + " of " + show(amount) + " since the attempt that another attempt does not account for."}
	case omclient.OpCancel:
		if o.Status == omclient.StatusCancelled {
			return Settlement{Outcome: audit.SettledApplied, Why: "The provider shows the order cancelled."}
		}
		if !graceOver {
			return Settlement{Why: notYet}
		}
		return Settlement{Outcome: audit.SettledNotApplied, Why: "The provider shows the order " + statusWords(o.Status) + ", not cancelled."}
	case omclient.OpUpdateAuthorization:
		before := r.Before["order_amount"]
		switch {
		case o.OrderAmount == amount && before != show(amount):
			return Settlement{Outcome: audit.SettledApplied, Why: "The provider shows the order amount " + show(amount) + ", as asked."}
		case show(o.OrderAmount) == before && graceOver:
			return Settlement{Outcome: audit.SettledNotApplied, Why: "The provider shows the order amount unchanged, " + before + "."}
		case show(o.OrderAmount) == before:
			return Settlement{Why: notYet}
		}
		return Settlement{Why: "The order amount is " + show(o.OrderAmount) + ", neither " + before + " (before) nor " + show(amount) + " (asked): another change was made."}
	case omclient.OpReleaseRemaining:
		before := r.Before["remaining_authorized_amount"]
		switch {
		case o.RemainingAuthorizedAmount > 0 && show(o.RemainingAuthorizedAmount) == before && graceOver:
			return Settlement{Outcome: audit.SettledNotApplied, Why: "The provider still shows " + before + " authorized and not captured."}
		case o.RemainingAuthorizedAmount > 0 && show(o.RemainingAuthorizedAmount) == before:
			return Settlement{Why: notYet}
		case o.RemainingAuthorizedAmount == 0 && !capturedSince(o, r.Time):
			return Settlement{Outcome: audit.SettledApplied, Why: "The provider shows nothing left authorized and no new capture."}
		}
		return Settlement{Why: "The remaining authorized amount changed in another way (" + show(o.RemainingAuthorizedAmount) + "); check the order's captures."}
	}
	return Settlement{Why: "This kind of change cannot be settled from the order."}
}

// capturedSince reports whether the order has a capture made after t
// (less a minute of clock difference) or without a time.
func capturedSince(o *omclient.Order, t time.Time) bool {
	for _, c := range o.Captures {
		if c.CapturedAt.IsZero() || !c.CapturedAt.Before(t.Add(-time.Minute)) {
			return true
		}
	}
	return false
}

// ObservedOrder is what a check records about the order: its status and
// amounts, and its captures and refunds (id, amount and time), so a reader
// can see whether the attempt's change is there.
func ObservedOrder(o *omclient.Order) map[string]string {
	cur := o.PurchaseCurrency.String()
	amt := func(v int64) string { return money.FormatPlain(v, cur) + " " + cur }
	m := map[string]string{
		"status":                      string(o.Status),
		"order_amount":                amt(o.OrderAmount),
		"captured_amount":             amt(o.CapturedAmount),
		"refunded_amount":             amt(o.RefundedAmount),
		"remaining_authorized_amount": amt(o.RemainingAuthorizedAmount),
		"captures":                    strconv.Itoa(len(o.Captures)),
		"refunds":                     strconv.Itoa(len(o.Refunds)),
	}
	const most = 20
	var caps, refs []string
	for i, c := range o.Captures {
		if i == most {
			break
		}
		caps = append(caps, c.CaptureID+" "+amt(c.CapturedAmount)+" "+c.CapturedAt.UTC().Format(time.RFC3339))
	}
	for i, r := range o.Refunds {
		if i == most {
			break
		}
		refs = append(refs, r.RefundID+" "+amt(r.RefundedAmount)+" "+r.RefundedAt.UTC().Format(time.RFC3339))
	}
	if len(caps) > 0 {
		m["capture_list"] = strings.Join(caps, "; ")
	}
	if len(refs) > 0 {
		m["refund_list"] = strings.Join(refs, "; ")
	}
	return m
}

// statusWords is a status as a sentence reads it ("part captured"): the
// check's finding is shown to agents, who never see the provider's codes.
func statusWords(s omclient.Status) string {
	return strings.ToLower(strings.ReplaceAll(string(s), "_", " "))
}
