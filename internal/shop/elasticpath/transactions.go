package elasticpath

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// Transaction types and the status of a completed one, as the platform
// names them (TransactionResponse).
const (
	TransactionAuthorize = "authorize"
	TransactionCapture   = "capture"
	TransactionPurchase  = "purchase"
	TransactionComplete  = "complete"
)

// Transaction is a TransactionResponse: one payment step recorded on an
// order (an authorization, a capture, a purchase, a refund). An order's
// payment state follows its transactions: "paid" once what was
// authorized is captured (https://elasticpath.dev/docs/api/carts/payments).
type Transaction struct {
	Type            string `json:"type"`
	ID              string `json:"id"`
	Reference       string `json:"reference,omitempty"`
	Gateway         string `json:"gateway"`
	Amount          Minor  `json:"amount"`
	Currency        string `json:"currency"`
	TransactionType string `json:"transaction-type"`
	Status          string `json:"status"`
}

// Capturable reports whether the transaction is an authorization that
// can still be captured.
func (t Transaction) Capturable() bool {
	return t.TransactionType == TransactionAuthorize && t.Status == TransactionComplete
}

// Transactions reads GET /v2/orders/{id}/transactions.
func (c *Client) Transactions(ctx context.Context, orderID string) ([]Transaction, error) {
	if err := checkID(orderID); err != nil {
		return nil, err
	}
	var out struct {
		Data []Transaction `json:"data"`
	}
	if err := c.call(ctx, http.MethodGet, "/v2/orders/"+url.PathEscape(orderID)+"/transactions", nil, &out); err != nil {
		return nil, err
	}
	return out.Data, nil
}

// CaptureTransaction sends POST /v2/orders/{id}/transactions/{tid}/capture:
// with the manual gateway (a payment provider the platform does not call
// itself, such as Klarna's or Kustom's order management) it records that
// the authorized money was captured elsewhere, and the order's payment
// becomes "paid". Unlike the order's PUT it is not a setting of values: a
// lost answer leaves its outcome unknown, and only reading the
// transactions tells (the platform refuses to capture one twice). Errors
// as UpdateOrder's.
func (c *Client) CaptureTransaction(ctx context.Context, orderID, transactionID string) (*Transaction, error) {
	if err := checkID(orderID); err != nil {
		return nil, err
	}
	if err := checkID(transactionID); err != nil {
		return nil, &ValidationError{Field: "transaction id", Message: "must be the platform's transaction id"}
	}
	var out struct {
		Data *Transaction `json:"data"`
	}
	p := "/v2/orders/" + url.PathEscape(orderID) + "/transactions/" + url.PathEscape(transactionID) + "/capture"
	if err := c.call(ctx, http.MethodPost, p, []byte(`{"data":{}}`), &out); err != nil {
		return nil, err
	}
	if out.Data == nil || out.Data.ID == "" {
		return nil, &OutcomeUnknownError{Err: &DecodeError{Method: http.MethodPost, Path: p, Err: errors.New("no transaction in the answer")}}
	}
	return out.Data, nil
}
