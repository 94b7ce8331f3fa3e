package view

import (
	"encoding/json"
	"strconv"

	"ordercare/internal/approvals"
	"ordercare/internal/omclient"
)

// What an approver decides, read from the stored request itself: the
// lines and quantities a refund sends (or that it sends an amount only)
// and its effect in words. A supervisor approving "refund of 97.11 EUR"
// cannot tell a returned shirt from the whole order; these say which.

// ApprovalLine is one line of a requested refund.
type ApprovalLine struct {
	Reference, Name string
	// Quantity is "1" or "2 pcs"; Amount the line's total ("63.95 EUR",
	// negative for a return fee).
	Quantity, Amount string
}

// ApprovalScope is what a request covers.
type ApprovalScope struct {
	// Lines are the refund's lines; empty with AmountOnly (a refund of an
	// amount, no lines) or for a cancellation.
	Lines      []ApprovalLine
	AmountOnly bool
	// Summary says it in a few words: "2 lines", "amount only, no
	// lines", "the whole order".
	Summary string
	// Effect is what approving does: "Refunds 97.11 EUR to the
	// customer", "Cancels the order: nothing more can be captured".
	Effect string
}

// NewApprovalScope reads r's stored body. A body that cannot be read
// says so rather than guessing (the approver then opens the order).
func NewApprovalScope(r approvals.Request, numbers string) ApprovalScope {
	amount := ApprovalAmount(r.Amount, r.Currency, numbers)
	if r.Op == omclient.OpCancel {
		return ApprovalScope{Summary: "the whole order",
			Effect: "Cancels the order (" + amount + "): the authorization is released and nothing more can be captured"}
	}
	s := ApprovalScope{Effect: "Refunds " + amount + " to the customer"}
	var body omclient.RefundRequest
	if len(r.Body) == 0 || json.Unmarshal(r.Body, &body) != nil {
		s.Summary = "the request's lines could not be read"
		return s
	}
	if len(body.OrderLines) == 0 {
		s.AmountOnly, s.Summary = true, "amount only, no lines"
		return s
	}
	for _, l := range body.OrderLines {
		s.Lines = append(s.Lines, ApprovalLine{Reference: string(l.Reference), Name: string(l.Name),
			Quantity: quantity(l.Quantity, string(l.QuantityUnit)), Amount: ApprovalAmount(l.TotalAmount, r.Currency, numbers)})
	}
	s.Summary = strconv.Itoa(len(s.Lines)) + " line"
	if len(s.Lines) != 1 {
		s.Summary += "s"
	}
	return s
}
