// Package omclienttest lets tests play the other party: the shop's own
// systems or the provider's portal changing an order directly at the
// provider, behind the back office's back. The back office itself sends
// only through its change pipeline (package orders); an architecture test
// keeps this package out of everything but tests.
package omclienttest

import (
	"context"

	"github.com/google/uuid"

	"ordercare/internal/omclient"
)

// Send prepares and sends req with key ("" for a fresh one) and returns
// the provider's answer.
func Send(ctx context.Context, c *omclient.Client, orderID, captureID, key string, req omclient.Request) (*omclient.Result, error) {
	if key == "" {
		key = uuid.NewString()
	}
	call, err := c.Prepare(orderID, captureID, key, req)
	if err != nil {
		return nil, err
	}
	return c.Send(ctx, call)
}

// Capture captures at the provider and returns the new capture's id.
func Capture(ctx context.Context, c *omclient.Client, orderID, key string, req omclient.CaptureRequest) (string, error) {
	res, err := Send(ctx, c, orderID, "", key, &req)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}

// Refund refunds at the provider and returns the new refund's id.
func Refund(ctx context.Context, c *omclient.Client, orderID string, req omclient.RefundRequest) (string, error) {
	res, err := Send(ctx, c, orderID, "", "", &req)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}

// Client is the provider's client with a method per mutating operation,
// for tests that drive the provider (or its sandbox) directly.
type Client struct{ *omclient.Client }

func (c Client) exec(ctx context.Context, orderID, captureID, key string, req omclient.Request) error {
	_, err := Send(ctx, c.Client, orderID, captureID, key, req)
	return err
}

// Acknowledge acknowledges a checkout order.
func (c Client) Acknowledge(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, orderID, "", key, omclient.AcknowledgeRequest{})
}

// UpdateAuthorization sets a new order amount and lines.
func (c Client) UpdateAuthorization(ctx context.Context, orderID, key string, req omclient.UpdateAuthorizationRequest) error {
	return c.exec(ctx, orderID, "", key, &req)
}

// Cancel cancels an order.
func (c Client) Cancel(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, orderID, "", key, omclient.CancelRequest{})
}

// UpdateCustomerDetails replaces the shipping address.
func (c Client) UpdateCustomerDetails(ctx context.Context, orderID, key string, req omclient.UpdateCustomerDetailsRequest) error {
	return c.exec(ctx, orderID, "", key, &req)
}

// ExtendAuthorizationTime extends the capture deadline.
func (c Client) ExtendAuthorizationTime(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, orderID, "", key, omclient.ExtendAuthorizationTimeRequest{})
}

// UpdateMerchantReferences sets or clears the merchant references.
func (c Client) UpdateMerchantReferences(ctx context.Context, orderID, key string, req omclient.UpdateMerchantReferencesRequest) error {
	return c.exec(ctx, orderID, "", key, &req)
}

// ReleaseRemainingAuthorization releases what is left.
func (c Client) ReleaseRemainingAuthorization(ctx context.Context, orderID, key string) error {
	return c.exec(ctx, orderID, "", key, omclient.ReleaseRemainingRequest{})
}

// AddOrderShippingInfo appends order-level shipping info.
func (c Client) AddOrderShippingInfo(ctx context.Context, orderID, key string, req omclient.ShippingInfoRequest) error {
	return c.exec(ctx, orderID, "", key, &req)
}

// CreateCapture captures and returns the new capture's id.
func (c Client) CreateCapture(ctx context.Context, orderID, key string, req omclient.CaptureRequest) (string, error) {
	return Capture(ctx, c.Client, orderID, key, req)
}

// AddCaptureShippingInfo appends shipping info to a capture.
func (c Client) AddCaptureShippingInfo(ctx context.Context, orderID, captureID, key string, req omclient.ShippingInfoRequest) error {
	return c.exec(ctx, orderID, captureID, key, omclient.CaptureShippingInfoRequest(req))
}

// TriggerSendOut re-sends a capture's customer communication.
func (c Client) TriggerSendOut(ctx context.Context, orderID, captureID, key string) error {
	return c.exec(ctx, orderID, captureID, key, omclient.TriggerSendOutRequest{})
}

// ExtendDueDate extends a capture's due date.
func (c Client) ExtendDueDate(ctx context.Context, orderID, captureID, key string, req omclient.ExtendDueDateRequest) error {
	return c.exec(ctx, orderID, captureID, key, &req)
}

// CreateRefund refunds and returns the new refund's id.
func (c Client) CreateRefund(ctx context.Context, orderID, key string, req omclient.RefundRequest) (string, error) {
	res, err := Send(ctx, c.Client, orderID, "", key, &req)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}
