package orders

import (
	"context"
	"testing"
	"time"

	"ordercare/internal/audit"
	"ordercare/internal/db/dbtest"
	"ordercare/internal/omclient"
)

// The shop's order number, once a twin was read, finds and opens the
// order (it is what the customer quotes), survives the payment order's
// next read, and a new number replaces the old one in the words.
func TestShopNumberIsSearchable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		e := newEnvOn(t, be)
		ctx := context.Background()
		id := e.newOrder(t)
		if _, err := e.svc.GetOrder(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := e.index.FindExact(ctx, "W-10042"); ok {
			t.Fatal("found by a number no twin has")
		}
		now := time.Now()
		if err := e.index.RecordShop(ctx, ShopSnapshot{OrderID: id, ShopOrderID: "shop-1", Number: "W-10042", ReadAt: now}); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := e.index.FindExact(ctx, "w-10042"); err != nil || !ok || got != id {
			t.Fatalf("FindExact = %s, %v, %v", got, ok, err)
		}
		page, err := e.index.Search(ctx, SearchQuery{Q: "W-10042"})
		if err != nil || len(page.Orders) != 1 || page.Orders[0].Matched.Kind != KindShopNumber || page.Orders[0].Matched.Value != "W-10042" {
			t.Fatalf("search %+v, %v", page.Orders, err)
		}
		// The payment order read again, later: its words are rewritten and
		// keep the shop's number.
		o, _ := e.svc.GetOrder(ctx, id)
		if err := e.index.Upsert(ctx, o, now.Add(2*ReadFreshness)); err != nil {
			t.Fatal(err)
		}
		if got, ok, _ := e.index.FindExact(ctx, "W-10042"); !ok || got != id {
			t.Fatal("the number was lost when the payment order was indexed again")
		}
		if fresh, err := e.index.unchanged(ctx, id, rowOf(o), now.Add(2*ReadFreshness+time.Second)); err != nil || !fresh {
			t.Errorf("an unchanged order with a shop number is written again (fresh %v, %v)", fresh, err)
		}
		if err := e.index.RecordShop(ctx, ShopSnapshot{OrderID: id, ShopOrderID: "shop-1", Number: "W-20077", ReadAt: now.Add(time.Second)}); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := e.index.FindExact(ctx, "W-10042"); ok {
			t.Error("the old number still finds the order")
		}
		if got, ok, _ := e.index.FindExact(ctx, "W-20077"); !ok || got != id {
			t.Error("the new number does not find the order")
		}
	})
}

// rowOf is what Upsert compares for o.
func rowOf(o *omclient.Order) indexRow {
	email, name := contact(o)
	return indexRow{MerchantReference1: string(o.MerchantReference1), MerchantReference2: string(o.MerchantReference2),
		KlarnaReference: string(o.KlarnaReference), Email: email, CustomerName: name, Status: string(o.Status),
		Amount: o.OrderAmount, RemainingAuthorized: o.RemainingAuthorizedAmount, Currency: o.PurchaseCurrency.String(),
		CreatedAt: fmtTime(o.CreatedAt.Time), ExpiresAt: fmtTime(o.ExpiresAt.Time), Fields: encodeFields(searchFields(o))}
}

// The start page's list: cancelled in the shop, shipped there with the
// authorization expiring within the window, addresses differing; an
// order in step, or whose money is no longer authorized, is not listed.
func TestShopMismatchesFromTheIndex(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, be dbtest.Backend) {
		e := newEnvOn(t, be)
		ctx := context.Background()
		now := time.Now()
		ids := make([]string, 4)
		for i := range ids {
			ids[i] = e.newOrder(t)
			if _, err := e.svc.GetOrder(ctx, ids[i]); err != nil {
				t.Fatal(err)
			}
		}
		snaps := []ShopSnapshot{
			{OrderID: ids[0], Cancelled: true},
			{OrderID: ids[1], Fulfilled: true},
			{OrderID: ids[2], AddressDiffers: true},
			{OrderID: ids[3]},
		}
		for _, s := range snaps {
			s.ShopOrderID, s.ReadAt, s.PaymentOpen = "shop-"+s.OrderID, now, true
			if err := e.index.RecordShop(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		kinds := func(within time.Duration) map[string]string {
			ms, err := e.index.ShopMismatches(ctx, now, within)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, m := range ms {
				out[m.OrderID] = m.Kind
			}
			return out
		}
		// The sandbox's authorizations expire weeks ahead: the shipped one is
		// listed only with a window that reaches its expiry.
		if got := kinds(24 * time.Hour); len(got) != 2 || got[ids[0]] != "cancelled-authorized" || got[ids[2]] != "address" {
			t.Errorf("within a day: %v", got)
		}
		if got := kinds(400 * 24 * time.Hour); len(got) != 3 || got[ids[1]] != "fulfilled-not-captured" {
			t.Errorf("within 400 days: %v", got)
		}
		res, err := e.svc.Apply(ctx, agent, Change{Op: omclient.OpCancel, OrderID: ids[0], IdempotencyKey: audit.NewID(), Reason: "test"})
		if err != nil || res.Outcome != audit.OutcomeSucceeded {
			t.Fatal(res, err)
		}
		if got := kinds(24 * time.Hour); len(got) != 1 || got[ids[2]] != "address" {
			t.Errorf("after cancelling the payment order: %v", got)
		}
	})
}
