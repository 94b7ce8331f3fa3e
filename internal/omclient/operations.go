package omclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Reader is the client without its sending half: the reads and what the
// client says about itself. Code outside the change pipeline that needs
// the provider holds a Reader, so it has no way to send a change past the
// audit log.
type Reader interface {
	GetOrder(ctx context.Context, orderID string) (*Order, error)
	ListCaptures(ctx context.Context, orderID string) ([]Capture, error)
	GetCapture(ctx context.Context, orderID, captureID string) (*Capture, error)
	GetExtendDueDateOptions(ctx context.Context, orderID, captureID string) (*ExtendDueDateOptions, error)
	GetRefund(ctx context.Context, orderID, refundID string) (*Refund, error)
	Supports(op Operation) bool
	Provider() Provider
	Environment() Environment
	BaseURL() string
	Timeout() time.Duration
}

var _ Reader = (*Client)(nil)

// Reads. None of them takes an idempotency key (the API accepts none on
// GET) and none can leave an outcome unknown.

// GetOrder fetches an order with its lines, captures and refunds.
func (c *Client) GetOrder(ctx context.Context, orderID string) (*Order, error) {
	var o Order
	if err := c.get(ctx, OpGetOrder, orderID, "", &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// ListCaptures lists an order's captures.
func (c *Client) ListCaptures(ctx context.Context, orderID string) ([]Capture, error) {
	var cs []Capture
	if err := c.get(ctx, OpListCaptures, orderID, "", &cs); err != nil {
		return nil, err
	}
	if cs == nil {
		cs = []Capture{}
	}
	return cs, nil
}

// GetCapture fetches one capture.
func (c *Client) GetCapture(ctx context.Context, orderID, captureID string) (*Capture, error) {
	var cp Capture
	if err := c.get(ctx, OpGetCapture, orderID, captureID, &cp); err != nil {
		return nil, err
	}
	return &cp, nil
}

// GetExtendDueDateOptions lists the due-date extensions offered for a
// capture (Klarna only).
func (c *Client) GetExtendDueDateOptions(ctx context.Context, orderID, captureID string) (*ExtendDueDateOptions, error) {
	var o ExtendDueDateOptions
	if err := c.get(ctx, OpGetExtendDueDateOptions, orderID, captureID, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// GetRefund fetches one refund.
func (c *Client) GetRefund(ctx context.Context, orderID, refundID string) (*Refund, error) {
	var r Refund
	if err := c.get(ctx, OpGetRefund, orderID, refundID, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func (c *Client) get(ctx context.Context, op Operation, orderID, secondID string, into any) error {
	spec := opSpecs[op]
	if !c.Supports(op) {
		return c.notSupported(op)
	}
	var fe fieldErrors
	fe.orderID(orderID)
	switch {
	case spec.capture:
		fe.resourceID("capture_id", secondID)
	case spec.readIDArg != "":
		fe.resourceID(spec.readIDArg, secondID)
	}
	if err := fe.err(); err != nil {
		return err
	}
	p := opPath(spec, orderID, secondID)
	rep, err := c.do(ctx, op, spec.method, p, nil, "")
	if err != nil {
		return err
	}
	return decodeJSON(rep.body, into, spec.method, p, rep.status)
}

// decodeJSON decodes a 2xx body; an empty or malformed body is an error
// naming the call, never a zero value passed off as data.
func decodeJSON(body []byte, into any, method, p string, status int) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return fmt.Errorf("omclient: %s %s: HTTP %d with an empty body, expected JSON", method, p, status)
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("omclient: %s %s: HTTP %d with a body that is not the expected JSON: %w", method, p, status, err)
	}
	return nil
}

// Mutating calls have no method of their own: they are Prepare + Send
// (call.go), which only the change pipeline calls, so that every change
// is audited before and after it is sent.
