package app

import (
	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// Accessors that only this package's tests use.

// DemoPassword is the demo accounts' password in sandbox mode ("" otherwise).
func (a *App) DemoPassword() string { return a.demoPassword }

// Index is the order index.
func (a *App) Index() *orders.Index { return a.index }

// Client is the provider client's reads: every change goes through the
// change pipeline (package orders), which alone holds the sending client.
func (a *App) Client() omclient.Reader { return a.client }
