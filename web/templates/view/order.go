package view

import (
	"strings"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/orders"
)

// ExpiringWithin is how close an open authorization's expiry must be for
// the order page to warn and the home page to list it.
const ExpiringWithin = 3 * 24 * time.Hour

// OrderView is the order page: one field per thing the page shows, in the
// page's order.
type OrderView struct {
	ID       string
	Title    string // "Order K4MADNY" (the provider reference), else the id
	Provider string // "Kustom", "Klarna"
	Header   HeaderView
	Amounts  AmountsView
	Lines    LinesView
	Billing  AddressView
	Shipping AddressView
	Customer []Field
	// ShippingOption is the shipping option the customer chose at checkout.
	ShippingOption []Field
	ShippingInfo   []ShippingInfoView
	Captures       []CaptureView
	Refunds        []RefundView
	Actions        []ActionView
	// ReadOnlyRole names the viewer's role when it changes nothing (the
	// auditor): the actions are shown as a summary, without links.
	ReadOnlyRole string
	// Flash is the confirmation of the change just made ("Shipping address
	// updated: city Berlin → Hamburg"), shown at the top of the page.
	Flash string
	// History is the order's timeline (BuildSettledHistory), when the
	// handler loaded it (HistoryLoaded); otherwise the page fetches it with
	// htmx.
	History       []HistoryItem
	HistoryLoaded bool
	// Unsettled lists the money changes whose outcome is unknown, shown
	// first with "Check now": no new money change is sent until they are
	// checked.
	Unsettled UnsettledPanel
	// Approvals is the "Waiting for approval" panel; when not
	// Loaded the page fetches it with htmx.
	Approvals ApprovalPanel
	// Notes are the order's internal notes and the form to add one.
	Notes NotesPanel
	// Shop is the shop's order beside the payment order (shop.go); zero
	// when no shop is configured.
	Shop ShopPanel
}

// Field is one labelled value of a description list.
type Field struct {
	Label, Value string
}

// OrderChoices are what the handler decided about the order as read: the
// changes it offers, each capture's, and how much is still refundable.
// The rules are the pipeline's (package orders); the page only shows
// their outcome, so it cannot drift from what a submit would be allowed.
type OrderChoices struct {
	Actions []orders.Action
	// CaptureActions are each capture's actions, in the order's order of
	// captures.
	CaptureActions [][]orders.Action
	Refundable     int64
}

// FromOrder builds the order page's view model from the order as read from
// the provider and the handler's choices ch. Amounts are written in the
// reader's number format (numbers: one format on every page for one
// person, whatever the order's market); times in the agent's zone loc,
// relative ones ("expires in 2 days") to now.
func FromOrder(o *omclient.Order, p omclient.Provider, ch OrderChoices, now time.Time, loc *time.Location, numbers string) OrderView {
	if loc == nil {
		loc = time.UTC
	}
	cur := o.PurchaseCurrency.String()
	m := func(v int64) Money { return newMoney(v, cur, numbers) }

	v := OrderView{
		ID:       o.OrderID,
		Title:    "Order " + o.OrderID,
		Provider: ProviderName(p),
	}
	if ref := strings.TrimSpace(string(o.KlarnaReference)); ref != "" {
		v.Title = "Order " + ref
	}

	v.Header = orderHeader(o, now, loc)

	v.Amounts = AmountsView{
		Original:   m(o.OriginalOrderAmount),
		Current:    m(o.OrderAmount),
		Captured:   m(o.CapturedAmount),
		Refunded:   m(o.RefundedAmount),
		Remaining:  m(o.RemainingAuthorizedAmount),
		Refundable: m(ch.Refundable),
	}
	v.Lines = linesView(o.OrderLines, o.OrderAmount, "order amount", m)
	v.Billing = addressView(o.BillingAddress)
	v.Shipping = addressView(o.ShippingAddress)
	v.Customer = customerFields(o.Customer)
	v.ShippingOption = shippingOptionFields(o.SelectedShippingOption, m)
	v.ShippingInfo = shippingInfoViews(o.ShippingInfo)

	v.Captures = captureViews(o, ch.CaptureActions, loc, m)
	v.Refunds = refundViews(o, loc, m)
	v.Actions = actionViews(o.OrderID, ch.Actions)
	return v
}
