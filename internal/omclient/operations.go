package omclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

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

// Mutating calls: each is Prepare + Send. key is the caller's idempotency
// key for this intent (Klarna-Idempotency-Key); reuse it only to retry the
// same intent.

func (c *Client) send(ctx context.Context, op Operation, orderID, captureID, key string, body any) (*Result, error) {
	call, err := c.Prepare(op, orderID, captureID, key, body)
	if err != nil {
		return nil, err
	}
	return c.Send(ctx, call)
}

func (c *Client) exec(ctx context.Context, op Operation, orderID, captureID, key string, body any) error {
	_, err := c.send(ctx, op, orderID, captureID, key, body)
	return err
}

// Acknowledge acknowledges a checkout order.
func (c *Client) Acknowledge(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, OpAcknowledge, orderID, "", key, nil)
}

// UpdateAuthorization sets a new order amount and replaces the order lines
// (omitted lines delete the existing ones, the API reference, update authorization).
func (c *Client) UpdateAuthorization(ctx context.Context, orderID, key string, req UpdateAuthorizationRequest) error {
	return c.exec(ctx, OpUpdateAuthorization, orderID, "", key, &req)
}

// Cancel cancels an order without captures.
func (c *Client) Cancel(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, OpCancel, orderID, "", key, nil)
}

// UpdateCustomerDetails replaces the shipping address.
func (c *Client) UpdateCustomerDetails(ctx context.Context, orderID, key string, req UpdateCustomerDetailsRequest) error {
	return c.exec(ctx, OpUpdateCustomerDetails, orderID, "", key, &req)
}

// ExtendAuthorizationTime extends the capture deadline.
func (c *Client) ExtendAuthorizationTime(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, OpExtendAuthorizationTime, orderID, "", key, nil)
}

// UpdateMerchantReferences sets or clears the merchant references.
func (c *Client) UpdateMerchantReferences(ctx context.Context, orderID, key string, req UpdateMerchantReferencesRequest) error {
	return c.exec(ctx, OpUpdateMerchantReferences, orderID, "", key, &req)
}

// ReleaseRemainingAuthorization releases what a part-captured order has
// left.
func (c *Client) ReleaseRemainingAuthorization(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, OpReleaseRemaining, orderID, "", key, nil)
}

// AddOrderShippingInfo appends order-level shipping info.
func (c *Client) AddOrderShippingInfo(ctx context.Context, orderID, key string, req ShippingInfoRequest) error {
	return c.exec(ctx, OpAddOrderShippingInfo, orderID, "", key, &req)
}

// CreateCapture captures an amount and returns the new capture's id, read
// from Capture-Id or Location (the 201 body is empty).
func (c *Client) CreateCapture(ctx context.Context, orderID, key string, req CaptureRequest) (string, error) {
	res, err := c.send(ctx, OpCreateCapture, orderID, "", key, &req)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}

// AddCaptureShippingInfo appends shipping info to a capture.
func (c *Client) AddCaptureShippingInfo(ctx context.Context, orderID, captureID, key string, req ShippingInfoRequest) error {
	return c.exec(ctx, OpAddCaptureShippingInfo, orderID, captureID, key, &req)
}

// TriggerSendOut re-sends a capture's customer communication (Klarna only).
func (c *Client) TriggerSendOut(ctx context.Context, orderID, captureID, key string) error {
	return c.exec(ctx, OpTriggerSendOut, orderID, captureID, key, nil)
}

// ExtendDueDate extends a capture's due date by an offered number of days
// (Klarna only).
func (c *Client) ExtendDueDate(ctx context.Context, orderID, captureID, key string, req ExtendDueDateRequest) error {
	return c.exec(ctx, OpExtendDueDate, orderID, captureID, key, &req)
}

// CreateRefund refunds an amount and returns the new refund's id, read
// from Refund-Id or Location (the 201 body is empty).
func (c *Client) CreateRefund(ctx context.Context, orderID, key string, req RefundRequest) (string, error) {
	res, err := c.send(ctx, OpCreateRefund, orderID, "", key, &req)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}
