package approvals

import (
	"context"

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
// *orders.UnsettledError, or an error reading the order or the log. o is
// the order as just read (nil: read it here). The request itself is not
// its own twin.
func (s *Service) Intent(ctx context.Context, r Request, o *omclient.Order, confirm string) error {
	ic, ok := s.orders.(intentChecker)
	if !ok {
		return nil
	}
	if o == nil {
		var err error
		if o, err = ic.GetOrder(ctx, r.OrderID); err != nil {
			return err
		}
	}
	body, err := storedBody(r)
	if err != nil {
		return err
	}
	ch := orders.Change{Op: r.Op, OrderID: r.OrderID, IdempotencyKey: r.IdempotencyKey, ApprovalID: r.ID, Confirm: confirm, Body: body}
	return ic.CheckIntent(ctx, o, ch)
}
