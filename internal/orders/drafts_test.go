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

// A capture takes at most the remaining authorized amount, a refund at
// most what is captured and not refunded; the pipeline asks the same
// rules as the forms.
func TestCaptureAndRefundDraftsCheck(t *testing.T) {
	t.Parallel()
	o := &omclient.Order{PurchaseCurrency: "SEK", OrderAmount: 10000, CapturedAmount: 6000, RefundedAmount: 1000, RemainingAuthorizedAmount: 4000}
	if Capturable(o) != 4000 || Refundable(o) != 5000 {
		t.Fatalf("capturable %d, refundable %d", Capturable(o), Refundable(o))
	}
	if e := (CaptureDraft{Amount: 4000}).Check(o); e != nil {
		t.Fatalf("capture of everything left: %+v", e)
	}
	if e := (RefundDraft{Amount: 5000}).Check(o); e != nil {
		t.Fatalf("refund of everything refundable: %+v", e)
	}
	for _, tc := range []struct {
		ch   Change
		want omclient.FieldError
	}{
		{Change{Op: omclient.OpCreateCapture, Body: &omclient.CaptureRequest{CapturedAmount: 4001}},
			omclient.FieldError{Field: "captured_amount", Message: "More than the remaining authorized amount, 40.00 SEK"}},
		{Change{Op: omclient.OpCreateRefund, Body: &omclient.RefundRequest{RefundedAmount: 5001}},
			omclient.FieldError{Field: "refunded_amount", Message: "More than what can be refunded (captured minus refunded), 50.00 SEK"}},
	} {
		err := checkState(tc.ch, o)
		if ve, ok := err.(*omclient.ValidationError); !ok || len(ve.Fields) != 1 || ve.Fields[0] != tc.want {
			t.Errorf("%s: %v, want %+v", tc.ch.Op, err, tc.want)
		}
	}
	if o := (&omclient.Order{CapturedAmount: 100, RefundedAmount: 300}); Refundable(o) != 0 {
		t.Fatalf("refunded beyond captured: refundable %d", Refundable(o))
	}
}
