package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"ordercare/internal/audit"
)

// A paired change is one intent carried out in both systems: the payment
// change (Apply) and, once it has succeeded, the same change to the shop's
// twin (ApplyShop). Each is its own audited attempt; both carry the pair's
// id (the payment form's idempotency key, so a resubmitted form is the
// same pair) and the payment attempt names the shop half it asks for, so
// a half that failed or whose outcome is unknown can be found and offered
// again from the audit trail alone (MissingHalves). Nothing is rolled
// back: a payment change that succeeded stays made when the shop refuses.

// Audit detail keys of a paired change.
const (
	DetailPairID       = "pair_id"
	DetailShopAction   = "shop_action"
	DetailShopPlatform = "shop_platform"
	DetailShopOrderID  = "shop_order_id"
	DetailShopRequest  = "shop_request"
)

// ShopHalf is the shop's half of a paired change: which twin, what to do,
// and the exact body to send (kept on record, sent again as is).
type ShopHalf struct {
	Platform    string          `json:"platform"`
	ShopOrderID string          `json:"shop_order_id"`
	Action      string          `json:"action"`
	Request     json.RawMessage `json:"request"`
	// Before holds the twin's values as read when the half was prepared
	// (not kept on record in the payment attempt).
	Before map[string]string `json:"-"`
}

// ShopSender turns a shop half into its call (package shop's Changer).
type ShopSender interface {
	SendHalf(h ShopHalf) (send func(context.Context) (map[string]string, error), classify func(error) audit.Outcome, err error)
}

// SetShop sets the sender of shop halves; without one ApplyPair sends
// only the payment change and says so.
func (s *Service) SetShop(ss ShopSender) { s.shop = ss }

// ErrNoShop: no shop is configured to send the shop's half to.
var ErrNoShop = errors.New("orders: no shop to send the shop's half to")

// PairResult is what a paired change did: the payment half's result as
// Apply returns it, and the shop half's when it was sent (nil when the
// payment half did not succeed, so nothing was sent to the shop).
type PairResult struct {
	Result
	Shop *ShopResult
	// ShopErr is why the shop half could not be sent at all (the audit
	// log, no shop configured); nil otherwise.
	ShopErr error
}

// ApplyPair sends ch and, when it succeeds (or is a replay of a change
// that did), half to the shop, linked to it. half nil is Apply.
func (s *Service) ApplyPair(ctx context.Context, actor audit.Actor, ch Change, half *ShopHalf) (PairResult, error) {
	if half == nil {
		res, err := s.Apply(ctx, actor, ch)
		return PairResult{Result: res}, err
	}
	detail := make(map[string]string, len(ch.Detail)+5)
	for k, v := range ch.Detail {
		detail[k] = v
	}
	for k, v := range half.detail(ch.IdempotencyKey) {
		detail[k] = v
	}
	ch.Detail = detail
	res, err := s.Apply(ctx, actor, ch)
	out := PairResult{Result: res}
	if err != nil || res.Outcome != audit.OutcomeSucceeded {
		return out, err
	}
	if res.Replayed {
		// A double submit: when the shop's half already succeeded, its
		// result is the answer, as the payment change's is.
		if sr, ok := s.succeededHalf(ctx, ch.OrderID, ch.IdempotencyKey); ok {
			out.Shop = &sr
			return out, nil
		}
	}
	sr, serr := s.applyHalf(ctx, actor, ch.OrderID, ch.IdempotencyKey, res.AttemptID, ch.Reason, ch.Ticket, *half)
	if serr != nil && sr.AttemptID == "" {
		out.ShopErr = serr
	}
	if sr.AttemptID != "" {
		out.Shop = &sr
	}
	return out, nil
}

// succeededHalf is the result of the pair's shop half that succeeded, if
// one did.
func (s *Service) succeededHalf(ctx context.Context, orderID, pairID string) (ShopResult, bool) {
	as, err := s.log.OrderAttempts(ctx, orderID)
	if err != nil {
		return ShopResult{}, false // sent again: the shop's order is read first
	}
	for _, a := range as {
		if a.Requested.Detail["system"] == "shop" && a.Requested.Detail[DetailPairID] == pairID && a.Outcome() == audit.OutcomeSucceeded {
			return ShopResult{AttemptID: a.AttemptID, Outcome: audit.OutcomeSucceeded, After: a.Completed.After}, true
		}
	}
	return ShopResult{}, false
}

// detail is what the payment attempt records of its shop half.
func (h ShopHalf) detail(pairID string) map[string]string {
	return map[string]string{DetailPairID: pairID, DetailShopAction: h.Action, DetailShopPlatform: h.Platform,
		DetailShopOrderID: h.ShopOrderID, DetailShopRequest: string(h.Request)}
}

// applyHalf sends one shop half as its own attempt, linked to the payment
// attempt.
func (s *Service) applyHalf(ctx context.Context, actor audit.Actor, orderID, pairID, linked, reason, ticket string, h ShopHalf) (ShopResult, error) {
	if s.shop == nil {
		return ShopResult{}, ErrNoShop
	}
	send, classify, err := s.shop.SendHalf(h)
	if err != nil {
		return ShopResult{}, fmt.Errorf("orders: the shop's half of %s: %w", orderID, err)
	}
	return s.ApplyShop(ctx, actor, ShopChange{OrderID: orderID, Platform: h.Platform, ShopOrderID: h.ShopOrderID, Action: h.Action,
		Reason: reason, Ticket: ticket, Request: h.Request, Before: h.Before, LinkedAttempt: linked, PairID: pairID,
		Send: send, Classify: classify})
}

// MissingHalf is a shop half whose payment change succeeded but which
// has not (yet) succeeded itself: never sent, refused, failed or unknown.
type MissingHalf struct {
	PairID string
	// Payment is the payment attempt that succeeded.
	Payment audit.Attempt
	Half    ShopHalf
	// Last is the shop half's latest attempt, nil when none was made.
	Last *audit.Attempt
}

// MissingHalves finds, in an order's attempts (newest first, as
// audit.Log.OrderAttempts returns them), the paired changes whose payment
// half succeeded and whose shop half has no succeeded attempt, newest
// first.
func MissingHalves(attempts []audit.Attempt) []MissingHalf {
	done := map[string]bool{}
	last := map[string]*audit.Attempt{}
	for i := range attempts {
		a := &attempts[i]
		d := a.Requested.Detail
		if d["system"] != "shop" || d[DetailPairID] == "" {
			continue
		}
		if a.Outcome() == audit.OutcomeSucceeded {
			done[d[DetailPairID]] = true
		}
		if last[d[DetailPairID]] == nil {
			last[d[DetailPairID]] = a
		}
	}
	var out []MissingHalf
	seen := map[string]bool{}
	for _, a := range attempts {
		d := a.Requested.Detail
		pair := d[DetailPairID]
		if pair == "" || d["system"] == "shop" || d[DetailShopAction] == "" || a.Outcome() != audit.OutcomeSucceeded || done[pair] || seen[pair] {
			continue
		}
		seen[pair] = true
		out = append(out, MissingHalf{PairID: pair, Payment: a, Last: last[pair], Half: ShopHalf{
			Platform: d[DetailShopPlatform], ShopOrderID: d[DetailShopOrderID], Action: d[DetailShopAction],
			Request: json.RawMessage(d[DetailShopRequest])}})
	}
	return out
}

// ErrNoMissingHalf: the order has no such pair missing its shop half (it
// succeeded meanwhile, or the id is wrong).
var ErrNoMissingHalf = errors.New("orders: no shop half missing for that change")

// ApplyMissingHalf sends again the shop half of the order's pair pairID,
// exactly as kept on record, as a new attempt linked to the payment
// attempt, with its reason and ticket.
func (s *Service) ApplyMissingHalf(ctx context.Context, actor audit.Actor, orderID, pairID string) (ShopResult, error) {
	as, err := s.log.OrderAttempts(ctx, orderID)
	if err != nil {
		return ShopResult{}, fmt.Errorf("%w: %w", ErrAudit, err)
	}
	for _, m := range MissingHalves(as) {
		if m.PairID == pairID {
			r := m.Payment.Requested
			return s.applyHalf(ctx, actor, orderID, pairID, m.Payment.AttemptID, r.Reason, r.Ticket, m.Half)
		}
	}
	return ShopResult{}, ErrNoMissingHalf
}
