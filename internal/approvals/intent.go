package approvals

import (
	"context"
	"encoding/json"
	"fmt"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// intentChecker is the pipeline's one-change-per-intent rule
// (orders.Service): approving a request identical to a change already made
// or waiting needs the decider's explicit confirmation, and nothing is
// approved while an earlier change on the order has an unknown outcome.
type intentChecker interface {
	GetOrder(ctx context.Context, id string) (*omclient.Order, error)
	CheckIntent(ctx context.Context, o *omclient.Order, ch orders.Change) error
}

// Intent asks the pipeline's intent rule about approving r now, with the
// decider's confirmation (orders.TwinError.Token, "" for none): nil, an
// *orders.TwinError naming the identical changes, an
// *orders.UnsettledError, or an error reading the order or the log. The
// request itself is not its own twin.
func (s *Service) Intent(ctx context.Context, r Request, confirm string) error {
	ic, ok := s.orders.(intentChecker)
	if !ok {
		return nil
	}
	o, err := ic.GetOrder(ctx, r.OrderID)
	if err != nil {
		return err
	}
	ch := orders.Change{Op: r.Op, OrderID: r.OrderID, IdempotencyKey: r.IdempotencyKey, ApprovalID: r.ID, Confirm: confirm}
	if r.Op == omclient.OpCreateRefund {
		var body omclient.RefundRequest
		if err := json.Unmarshal(r.Body, &body); err != nil {
			return fmt.Errorf("approvals: request %s: stored body: %w", r.ID, err)
		}
		ch.Body = &body
	}
	return ic.CheckIntent(ctx, o, ch)
}
