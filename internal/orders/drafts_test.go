package orders

import (
	"testing"

	"ordercare/internal/omclient"
)

// The new order amount may not go below what is captured; the form and
// the pipeline say so in the same words.
func TestAmountDraftCheck(t *testing.T) {
	t.Parallel()
	o := &omclient.Order{PurchaseCurrency: "EUR", OrderAmount: 10000, CapturedAmount: 5000}
	for _, ok := range []int64{5000, 5001, 20000} {
		if e := (AmountDraft{Amount: ok}).Check(o); e != nil {
			t.Errorf("%d: %+v", ok, e)
		}
	}
	e := AmountDraft{Amount: 4999}.Check(o)
	if e == nil || e.Field != "order_amount" || e.Message != "The order amount cannot be less than the captured amount 50.00 EUR" {
		t.Fatalf("below the captured amount: %+v", e)
	}
	err := checkState(Change{Op: omclient.OpUpdateAuthorization, Body: &omclient.UpdateAuthorizationRequest{OrderAmount: 4999}}, o)
	if ve, ok := err.(*omclient.ValidationError); !ok || len(ve.Fields) != 1 || ve.Fields[0] != *e {
		t.Fatalf("the pipeline: %v, want %+v", err, e)
	}
}
