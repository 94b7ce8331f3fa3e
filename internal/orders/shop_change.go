package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"ordercare/internal/audit"
)

// ShopChange is one change to the shop's twin of a payment order (cancel
// it, mark it fulfilled, ...). It goes through the same audit as a payment
// change: `requested` before the shop is called, `completed` after, filed
// under the payment order so its History shows both systems. The platform
// call itself is Send, so this package knows no shop platform.
type ShopChange struct {
	// OrderID is the payment order the twin belongs to.
	OrderID string
	// Platform ("elasticpath") and ShopOrderID name the twin.
	Platform, ShopOrderID string
	// Action is the audit action, such as "shop_cancel" or "shop_fulfil".
	Action         string
	Reason, Ticket string
	// Request is the body sent to the shop, for the audit trail.
	Request json.RawMessage
	// Before holds the twin's values the change touches.
	Before map[string]string
	// LinkedAttempt is the payment change this one goes with, if any,
	// and PairID the pair both belong to (shop_pair.go).
	LinkedAttempt, PairID string
	// Send calls the shop and returns the values after the change. Its
	// error is classified by Classify.
	Send func(ctx context.Context) (after map[string]string, err error)
	// Classify says what Send's error means: refused (nothing applied),
	// unknown (may be applied) or failed (not sent).
	Classify func(err error) audit.Outcome
}

// ShopResult is what a ShopChange did.
type ShopResult struct {
	AttemptID string
	Outcome   audit.Outcome
	After     map[string]string
	Err       error // the shop's answer when not succeeded
}

// ApplyShop records and sends one shop change. Its error is for the audit
// (nothing sent when `requested` cannot be written); the shop's own answer
// is in ShopResult.
func (s *Service) ApplyShop(ctx context.Context, actor audit.Actor, ch ShopChange) (ShopResult, error) {
	if ch.OrderID == "" || ch.ShopOrderID == "" || ch.Action == "" || ch.Send == nil || ch.Classify == nil {
		return ShopResult{}, errors.New("orders: a shop change needs the payment order, the shop order, an action, Send and Classify")
	}
	unlock, err := s.locks.lock(ctx, ch.OrderID)
	if err != nil {
		return ShopResult{}, fmt.Errorf("orders: waiting for another change to order %s: %w", ch.OrderID, err)
	}
	defer unlock()
	res := ShopResult{AttemptID: audit.NewID()}
	detail := map[string]string{"system": "shop", "platform": ch.Platform, "shop_order_id": ch.ShopOrderID}
	if ch.LinkedAttempt != "" {
		detail["linked_attempt"] = ch.LinkedAttempt
	}
	if ch.PairID != "" {
		detail[DetailPairID] = ch.PairID
	}
	if _, err := s.log.Append(ctx, audit.Event{Time: s.now(), Kind: audit.KindRequested, AttemptID: res.AttemptID, Actor: actor,
		OrderID: ch.OrderID, Action: ch.Action, Reason: ch.Reason, Ticket: ch.Ticket, Request: ch.Request,
		Before: ch.Before, Detail: detail}); err != nil {
		return ShopResult{}, fmt.Errorf("%w: %s on the shop order of %s not sent: %w", ErrAudit, ch.Action, ch.OrderID, err)
	}
	// On record: finish even if the agent goes away.
	bg := context.WithoutCancel(ctx)
	start := time.Now()
	after, sendErr := ch.Send(bg)
	completed := audit.Event{Time: s.now(), Kind: audit.KindCompleted, AttemptID: res.AttemptID, Actor: actor,
		OrderID: ch.OrderID, Action: ch.Action, DurationMS: time.Since(start).Milliseconds(), Detail: map[string]string{}}
	for k, v := range detail {
		completed.Detail[k] = v
	}
	if sendErr == nil {
		res.Outcome, res.After = audit.OutcomeSucceeded, after
		completed.After = after
	} else {
		res.Outcome, res.Err = ch.Classify(sendErr), sendErr
		completed.Detail["error"] = sendErr.Error()
	}
	completed.Outcome = res.Outcome
	stored, err := s.log.Append(bg, completed)
	if err != nil {
		s.logger.Error("audit completed event of a shop change not recorded", "attempt_id", res.AttemptID, "order_id", ch.OrderID, "err", err)
		return res, fmt.Errorf("%w: outcome %s of %s on order %s not recorded: %w", ErrAudit, res.Outcome, ch.Action, ch.OrderID, err)
	}
	if s.onCompleted != nil {
		// The outbound event, as for a payment change (named for the shop).
		s.onCompleted(bg, stored)
	}
	return res, nil
}
