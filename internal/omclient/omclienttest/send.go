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

// Exec sends req and returns only the error.
func Exec(ctx context.Context, c *omclient.Client, orderID, captureID, key string, req omclient.Request) error {
	_, err := Send(ctx, c, orderID, captureID, key, req)
	return err
}

// Created sends a create call (a capture, a refund) and returns the new
// resource's id.
func Created(ctx context.Context, c *omclient.Client, orderID, key string, req omclient.Request) (string, error) {
	res, err := Send(ctx, c, orderID, "", key, req)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}
