package epsim

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	ep "ordercare/internal/shop/elasticpath"
)

// An order's payment follows its transactions, as on the platform
// (https://elasticpath.dev/docs/api/carts/payments): what is authorized
// shows in meta.display_price.authorized, what is captured or purchased
// in paid, and the order is "paid" (and, on the manual gateway, complete)
// once no authorization is left uncaptured. The demo's shops take
// payments through the payment provider, which the platform knows only
// as its manual gateway: capturing a transaction records a capture made
// at the provider.

// transactionDoc is a TransactionResponse.
type transactionDoc = ep.Transaction

// firstTransaction is the transaction an order of the given payment
// state was created with (none for unpaid ones).
func firstTransaction(orderID, payment, currency string, total int64) []transactionDoc {
	kind := ""
	switch payment {
	case ep.PaymentAuthorized:
		kind = ep.TransactionAuthorize
	case ep.PaymentPaid, ep.PaymentRefunded:
		kind = ep.TransactionCapture
	default:
		return nil
	}
	return []transactionDoc{{Type: "transaction", ID: txID(orderID, 0), Reference: "manual", Gateway: "manual",
		Amount: ep.Minor(total), Currency: currency, TransactionType: kind, Status: ep.TransactionComplete}}
}

func (s *Sandbox) handleTransactions(w http.ResponseWriter, id string) {
	s.answerRecord(w, id, func(rec *record) any { return append([]transactionDoc{}, rec.transactions...) })
}

// txID is the id of an order's n-th transaction.
func txID(orderID string, n int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s/transaction/%d", orderID, n)).String()
}

// handleCapture is POST /v2/orders/{id}/transactions/{tid}/capture: only
// a completed authorization of an order that is not cancelled can be
// captured, and only once.
func (s *Sandbox) handleCapture(w http.ResponseWriter, id, txid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.recordForWrite(w, id)
	if rec == nil {
		return
	}
	i := -1
	for j := range rec.transactions {
		if rec.transactions[j].ID == txid {
			i = j
		}
	}
	switch {
	case i < 0:
		writeError(w, http.StatusNotFound, "Not Found", "Transaction not found")
		return
	case rec.order.Status == ep.StatusCancelled:
		writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity", "the payment of a cancelled order cannot be captured")
		return
	case !rec.transactions[i].Capturable():
		writeError(w, http.StatusUnprocessableEntity, "Unprocessable Entity",
			fmt.Sprintf("only a completed authorization can be captured; this transaction is a %s", rec.transactions[i].TransactionType))
		return
	}
	rec.transactions[i].TransactionType = ep.TransactionCapture
	s.settle(rec)
	writeJSON(w, http.StatusOK, map[string]any{"data": rec.transactions[i]})
}

// recordForWrite finds order id for a change and counts the change; nil
// (after answering 404) when there is no such order. The caller holds
// the lock.
func (s *Sandbox) recordForWrite(w http.ResponseWriter, id string) *record {
	rec, ok := s.orders[id]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found", "Order not found")
		return nil
	}
	s.writes[id]++
	return rec
}

// settle derives the order's payment state and paid/authorized totals
// from its transactions.
func (s *Sandbox) settle(rec *record) {
	var paid, authorized int64
	for _, t := range rec.transactions {
		if t.Status != ep.TransactionComplete {
			continue
		}
		switch t.TransactionType {
		case ep.TransactionAuthorize:
			authorized += int64(t.Amount)
		case ep.TransactionCapture, ep.TransactionPurchase:
			paid += int64(t.Amount)
		}
	}
	o := &rec.order
	if authorized == 0 && paid > 0 && o.Payment == ep.PaymentAuthorized {
		o.Payment = ep.PaymentPaid
		if o.Status == ep.StatusProcessing {
			o.Status = ep.StatusComplete
		}
	}
	if o.Meta.DisplayPrice != nil && o.Meta.DisplayPrice.WithTax != nil {
		// A new Totals: copies handed out earlier share the old one.
		dp := *o.Meta.DisplayPrice
		cur := dp.WithTax.Currency
		dp.Paid = &ep.Price{Amount: ep.Minor(paid), Currency: cur, Formatted: formatted(paid, cur)}
		dp.Authorized = &ep.Price{Amount: ep.Minor(authorized), Currency: cur, Formatted: formatted(authorized, cur)}
		o.Meta.DisplayPrice = &dp
	}
	o.Meta.Timestamps.UpdatedAt = s.clock.Now().UTC().Format(time.RFC3339Nano)
}

// Writes counts the changing requests (PUT, capture) that reached the
// order, applied or refused: a test's proof that a change was sent once.
func (s *Sandbox) Writes(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes[id]
}
