package templates

import (
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
	"ordercare/web/templates/view"
)

// orderView is view.FromOrder with the choices the order page's handler
// makes: the pipeline's rules for p at now.
func orderView(o *omclient.Order, p omclient.Provider, now time.Time, loc *time.Location, numbers string) view.OrderView {
	ch := view.OrderChoices{Actions: orders.Actions(o, p, now), Refundable: orders.Refundable(o)}
	for i := range o.Captures {
		ch.CaptureActions = append(ch.CaptureActions, orders.CaptureActions(o, &o.Captures[i], p, now))
	}
	return view.FromOrder(o, p, ch, now, loc, numbers)
}
