package view

import (
	"encoding/json"
	"testing"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
)

// TestApprovalScope: a refund lists its lines with quantities, an amount
// refund says "amount only", a cancellation covers the whole order, and a
// body that cannot be read says so instead of passing for amount only.
func TestApprovalScope(t *testing.T) {
	body := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	lines := body(omclient.RefundRequest{RefundedAmount: 6395, OrderLines: []omclient.OrderLine{
		{Type: omclient.LineTypePhysical, Reference: "LS-WH-39", Name: "Linen shirt", Quantity: 1, QuantityUnit: "pcs", UnitPrice: 6395, TotalAmount: 6395}}})
	for _, c := range []struct {
		name       string
		r          approvals.Request
		summary    string
		lines      int
		amountOnly bool
		effect     string
	}{
		{"lines", approvals.Request{Op: omclient.OpCreateRefund, Currency: "EUR", Amount: 6395, Body: lines}, "1 line", 1, false, "Refunds €63.95 to the customer"},
		{"amount", approvals.Request{Op: omclient.OpCreateRefund, Currency: "EUR", Amount: 30000, Body: body(omclient.RefundRequest{RefundedAmount: 30000})},
			"amount only, no lines", 0, true, "Refunds €300.00 to the customer"},
		{"cancel", approvals.Request{Op: omclient.OpCancel, Currency: "EUR", Amount: 30290}, "the whole order", 0, false,
			"Cancels the order (€302.90): the authorization is released and nothing more can be captured"},
		{"damaged", approvals.Request{Op: omclient.OpCreateRefund, Currency: "EUR", Amount: 100, Body: json.RawMessage(`{`)},
			"the request's lines could not be read", 0, false, "Refunds €1.00 to the customer"},
	} {
		s := NewApprovalScope(c.r, "en-GB")
		if s.Summary != c.summary || len(s.Lines) != c.lines || s.AmountOnly != c.amountOnly || s.Effect != c.effect {
			t.Errorf("%s: %+v", c.name, s)
		}
	}
	if s := NewApprovalScope(approvals.Request{Op: omclient.OpCreateRefund, Currency: "EUR", Amount: 6395, Body: lines}, "en-GB"); s.Lines[0] !=
		(ApprovalLine{Reference: "LS-WH-39", Name: "Linen shirt", Quantity: "1 pcs", Amount: "€63.95"}) {
		t.Errorf("line %+v", s.Lines[0])
	}
}
