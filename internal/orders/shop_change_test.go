package orders

import (
	"context"
	"errors"
	"testing"

	"ordercare/internal/audit"
)

// A shop change is on record before the shop is called, and its outcome
// after; the outcome is the platform's (here a refusal), the events are
// filed under the payment order and say which system changed.
func TestApplyShopAuditsBeforeAndAfter(t *testing.T) {
	e := newEnv(t)
	id := e.newOrder(t)
	ctx := context.Background()
	refused := errors.New("a fulfilled order cannot be cancelled")
	ch := ShopChange{OrderID: id, Platform: "elasticpath", ShopOrderID: "shop-1", Action: "shop_cancel", Reason: "Customer request",
		Request: []byte(`{"data":{"type":"order","status":"cancelled"}}`), Before: map[string]string{"shop.status": "processing"},
		Send: func(ctx context.Context) (map[string]string, error) {
			as, err := e.log.OrderAttempts(ctx, id)
			if err != nil || len(as) != 1 || as[0].Completed != nil || as[0].Requested.Action != "shop_cancel" {
				t.Errorf("when the shop is called the log holds %+v (%v), want the open requested event", as, err)
			}
			return nil, refused
		},
		Classify: func(err error) audit.Outcome { return audit.OutcomeRefused }}
	res, err := e.svc.ApplyShop(ctx, agent, ch)
	if err != nil || res.Outcome != audit.OutcomeRefused || !errors.Is(res.Err, refused) {
		t.Fatalf("ApplyShop = %+v, %v", res, err)
	}
	as, err := e.log.OrderAttempts(ctx, id)
	if err != nil || len(as) != 1 || as[0].Completed == nil {
		t.Fatalf("attempts %+v, %v", as, err)
	}
	c := as[0].Completed
	if c.Outcome != audit.OutcomeRefused || c.Detail["system"] != "shop" || c.Detail["shop_order_id"] != "shop-1" || as[0].Requested.Reason != "Customer request" {
		t.Errorf("completed event %+v", c)
	}
	if _, err := e.svc.ApplyShop(ctx, agent, ShopChange{OrderID: id}); err == nil {
		t.Error("a shop change without a call was accepted")
	}
}
