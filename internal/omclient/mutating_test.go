package omclient

import "context"

// Prepare + Send in one, for the tests of this package (the product sends
// only through the change pipeline; tests elsewhere use omclienttest).

func (c *Client) exec(ctx context.Context, orderID, captureID, key string, req Request) error {
	call, err := c.Prepare(orderID, captureID, key, req)
	if err != nil {
		return err
	}
	_, err = c.Send(ctx, call)
	return err
}

// created sends a create call and returns the new resource's id.
func (c *Client) created(ctx context.Context, orderID, key string, req Request) (string, error) {
	call, err := c.Prepare(orderID, "", key, req)
	if err != nil {
		return "", err
	}
	res, err := c.Send(ctx, call)
	if err != nil {
		return "", err
	}
	return res.ResourceID, nil
}
