package outbox

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"ordercare/internal/audit"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
	"ordercare/internal/omsim"
	"ordercare/internal/orders"
)

// A change made in both systems sends two events: the payment change's
// named order.change.completed with system "payment", the shop's named
// shop.order.change.completed with system "shop", its platform and shop
// order id; both carry the pair's id, the shop's the payment attempt.
func TestShopChangeHasItsOwnEvent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, testShopChangeHasItsOwnEvent)
}

func testShopChangeHasItsOwnEvent(t *testing.T, be dbtest.Backend) {
	e := newEnv(t, be, 0)
	ctx := context.Background()
	ob := e.open(t)
	if _, err := ob.Reconcile(ctx); err != nil {
		t.Fatal(err)
	}
	e.svc.OnCompleted(func(ctx context.Context, c audit.Event) {
		if err := ob.Record(ctx, c); err != nil {
			t.Error(err)
		}
	})
	e.svc.SetShop(fakeShop{})
	id, err := e.sb.CreateOrder(ctx, omsim.NewOrder{PurchaseCountry: "DE", PurchaseCurrency: "EUR", Locale: "de-DE", OrderAmount: 5000,
		OrderLines: []omclient.OrderLine{{Type: "physical", Reference: "A", Name: "Shirt", Quantity: 1, UnitPrice: 5000,
			TaxRate: 1900, TotalAmount: 5000, TotalTaxAmount: 798}}})
	if err != nil {
		t.Fatal(err)
	}
	key := uuid.NewString()
	res, err := e.svc.ApplyPair(ctx, agent, orders.Change{Op: omclient.OpCancel, OrderID: id, IdempotencyKey: key, Reason: "customer asked"},
		&orders.ShopHalf{Platform: "elasticpath", ShopOrderID: "shop-9", Action: "shop_cancel", Request: []byte(`{"data":{"type":"order","status":"cancelled"}}`)})
	if err != nil || res.Shop == nil || res.Shop.Outcome != audit.OutcomeSucceeded {
		t.Fatalf("ApplyPair %+v, %v", res, err)
	}
	if n, err := ob.DeliverDue(ctx); err != nil || n != 2 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	pay, shop := e.rc.got[0], e.rc.got[1]
	if pay.Type != EventType || pay.System != SystemPayment || pay.Action != "cancel" || pay.PairID != key || pay.Platform != "" {
		t.Errorf("payment event %+v", pay)
	}
	if shop.Type != ShopEventType || shop.System != SystemShop || shop.Action != "shop_cancel" || shop.Platform != "elasticpath" ||
		shop.ShopOrderID != "shop-9" || shop.PairID != key || shop.LinkedAttempt != pay.AttemptID || shop.Reason != "customer asked" ||
		shop.After["shop.status"] != "cancelled" {
		t.Errorf("shop event %+v", shop)
	}
}

// fakeShop answers every shop half with the twin cancelled.
type fakeShop struct{}

func (fakeShop) SendHalf(orders.ShopHalf) (func(context.Context) (map[string]string, error), func(error) audit.Outcome, error) {
	return func(context.Context) (map[string]string, error) {
			return map[string]string{"shop.status": "cancelled"}, nil
		},
		func(error) audit.Outcome { return audit.OutcomeFailed }, nil
}
