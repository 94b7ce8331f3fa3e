package epsim_test

import (
	"errors"
	"net/http"
	"testing"

	ep "ordercare/internal/shop/elasticpath"
	"ordercare/internal/shop/elasticpath/epsim"
)

// An authorized order has one authorization; capturing it makes the order
// paid (and complete), moves the amount from authorized to paid, and lets
// it be fulfilled; a second capture of the same transaction is refused.
func TestRuleCaptureMakesPaidOnce(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	txs, err := e.client.Transactions(ctx(t), id)
	if err != nil || len(txs) != 1 || !txs[0].Capturable() || txs[0].Amount != 2500 || txs[0].Gateway != "manual" {
		t.Fatalf("transactions = %+v, %v", txs, err)
	}
	if _, err := e.client.UpdateOrder(ctx(t), id, ep.Fulfil()); err == nil {
		t.Fatal("an authorized order was fulfilled")
	}
	tx, err := e.client.CaptureTransaction(ctx(t), id, txs[0].ID)
	if err != nil || tx.TransactionType != ep.TransactionCapture {
		t.Fatalf("capture = %+v, %v", tx, err)
	}
	o, err := e.client.GetOrder(ctx(t), id)
	if err != nil || o.Payment != ep.PaymentPaid || o.Status != ep.StatusComplete {
		t.Fatalf("order after the capture = %+v, %v", o, err)
	}
	if dp := o.Meta.DisplayPrice; dp.Paid.Amount != 2500 || dp.Authorized.Amount != 0 {
		t.Errorf("paid %d, authorized %d; want 2500, 0", dp.Paid.Amount, dp.Authorized.Amount)
	}
	_, err = e.client.CaptureTransaction(ctx(t), id, txs[0].ID)
	refusal(t, err, http.StatusUnprocessableEntity, "only a completed authorization can be captured")
	if o, err := e.client.UpdateOrder(ctx(t), id, ep.Fulfil()); err != nil || o.Shipping != ep.ShippingFulfilled {
		t.Fatalf("fulfil after the capture = %+v, %v", o, err)
	}
	if n := e.sb.Writes(id); n != 4 {
		t.Errorf("writes %d, want 4 (fulfil, capture, capture, fulfil)", n)
	}
}

// The payment of a cancelled order is not captured; an unknown
// transaction is a 404.
func TestRuleCaptureRefusals(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	txs, _ := e.client.Transactions(ctx(t), id)
	_, err := e.client.CaptureTransaction(ctx(t), id, "00000000-0000-0000-0000-000000000000")
	if !ep.IsNotFound(err) {
		t.Fatalf("unknown transaction: %v", err)
	}
	if _, err := e.client.UpdateOrder(ctx(t), id, ep.Cancel()); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.CaptureTransaction(ctx(t), id, txs[0].ID)
	refusal(t, err, http.StatusUnprocessableEntity, "cancelled order cannot be captured")
	if o, _ := e.sb.Order(id); o.Payment != ep.PaymentAuthorized {
		t.Errorf("payment %s after a refused capture", o.Payment)
	}
}

// The capture's answer is lost after the sandbox applied it: the outcome
// is unknown, and the transactions say it was made.
func TestFaultLostAnswerOnCapture(t *testing.T) {
	e := newEnv(t, nil)
	id := e.order(t, ep0())
	txs, _ := e.client.Transactions(ctx(t), id)
	e.sb.SetFaults(epsim.Faults{Rules: []epsim.FaultRule{{Method: "POST", PathContains: "/capture", Kind: epsim.FaultResetAfterApply, Times: 1}}})
	_, err := e.client.CaptureTransaction(ctx(t), id, txs[0].ID)
	if !errors.Is(err, ep.ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want outcome unknown", err)
	}
	if txs, _ := e.client.Transactions(ctx(t), id); txs[0].Capturable() {
		t.Error("the capture was not applied")
	}
	if n := e.sb.Writes(id); n != 1 {
		t.Errorf("writes %d, want 1 (the client does not resend on its own)", n)
	}
}
