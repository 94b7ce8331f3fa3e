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
	// History is the order's timeline (BuildHistory), when the handler
	// loaded it (HistoryLoaded); otherwise the page fetches it with htmx.
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

// HeaderView is the order page's header.
type HeaderView struct {
	Status             Badge
	Fraud              Badge // zero when the provider sent no fraud status
	ProviderReference  string
	MerchantReference1 string
	MerchantReference2 string
	Created            Time
	Expires            Time
	// ReadAt is when this order was read from the provider: the order page
	// always reads fresh, so it is the read that built the page.
	ReadAt Time
	// ExpiresRelative is "expires in 3 days", "expired yesterday at
	// 14:05"; "" when the expiry no longer matters (captured, cancelled,
	// closed) or is unknown.
	ExpiresRelative string
	// ExpiresSoon: the authorization is open and expires within
	// ExpiringWithin, so the header warns.
	ExpiresSoon   bool
	PaymentMethod string
	PaymentCode   string // the provider's payment type, for the tooltip
	Country       string // the purchase country by name ("Sweden")
	CountryCode   string // its ISO code, for the tooltip
	Locale        string
	Currency      string
}

// FromOrder builds the order page's view model from the order as read from
// the provider. Amounts are written in the reader's number format
// (numbers: one format on every page for one person, whatever the order's
// market); times in the agent's zone loc; actions per orders.Actions at now.
func FromOrder(o *omclient.Order, p omclient.Provider, now time.Time, loc *time.Location, numbers string) OrderView {
	if loc == nil {
		loc = time.UTC
	}
	cur := o.PurchaseCurrency.String()
	lc := string(o.Locale)
	m := func(v int64) Money { return newMoney(v, cur, numbers) }

	v := OrderView{
		ID:       o.OrderID,
		Title:    "Order " + o.OrderID,
		Provider: ProviderName(p),
	}
	if ref := strings.TrimSpace(string(o.KlarnaReference)); ref != "" {
		v.Title = "Order " + ref
	}

	h := HeaderView{
		Status:             statusBadge(o.Status),
		Fraud:              fraudBadge(o.FraudStatus),
		ProviderReference:  orDash(string(o.KlarnaReference)),
		MerchantReference1: orDash(string(o.MerchantReference1)),
		MerchantReference2: orDash(string(o.MerchantReference2)),
		Created:            newTime(o.CreatedAt.Time, loc),
		Expires:            newTime(o.ExpiresAt.Time, loc),
		ReadAt:             newTime(now, loc),
		PaymentMethod:      paymentMethod(o.InitialPaymentMethod),
		PaymentCode:        paymentCode(o.InitialPaymentMethod),
		Country:            orDash(CountryName(strings.ToUpper(string(o.PurchaseCountry)))),
		CountryCode:        strings.ToUpper(string(o.PurchaseCountry)),
		Locale:             orDash(lc),
		Currency:           orDash(cur),
	}
	if !o.ExpiresAt.IsZero() {
		open := o.Status == omclient.StatusAuthorized || o.Status == omclient.StatusPartCaptured
		rel := relative(o.ExpiresAt.Time, now, loc)
		switch {
		case open && o.ExpiresAt.After(now):
			h.ExpiresRelative = "expires " + rel
			h.ExpiresSoon = o.ExpiresAt.Sub(now) <= ExpiringWithin
		case open || o.Status == omclient.StatusExpired:
			h.ExpiresRelative = "expired " + rel
		}
	}
	v.Header = h

	v.Amounts = AmountsView{
		Original:   m(o.OriginalOrderAmount),
		Current:    m(o.OrderAmount),
		Captured:   m(o.CapturedAmount),
		Refunded:   m(o.RefundedAmount),
		Remaining:  m(o.RemainingAuthorizedAmount),
		Refundable: m(orders.Refundable(o)),
	}
	v.Lines = linesView(o.OrderLines, o.OrderAmount, "order amount", m)
	v.Billing = addressView(o.BillingAddress)
	v.Shipping = addressView(o.ShippingAddress)
	v.Customer = customerFields(o.Customer)
	v.ShippingOption = shippingOptionFields(o.SelectedShippingOption, m)
	v.ShippingInfo = shippingInfoViews(o.ShippingInfo)

	for i := range o.Captures {
		c := &o.Captures[i]
		v.Captures = append(v.Captures, CaptureView{
			ID:                c.CaptureID,
			ProviderReference: orDash(string(c.KlarnaReference)),
			Reference:         string(c.Reference),
			Description:       string(c.Description),
			Amount:            m(c.CapturedAmount),
			Refunded:          m(c.RefundedAmount),
			Time:              newTime(c.CapturedAt.Time, loc),
			Lines:             linesView(c.OrderLines, c.CapturedAmount, "captured amount", m),
			ShippingInfo:      shippingInfoViews(c.ShippingInfo),
			Actions:           actionViews(o.OrderID, orders.CaptureActions(o, c, p, now)),
		})
	}
	for _, r := range o.Refunds {
		v.Refunds = append(v.Refunds, RefundView{
			ID:            r.RefundID,
			Amount:        m(r.RefundedAmount),
			Description:   string(r.Description),
			Reference:     string(r.Reference),
			Time:          newTime(r.RefundedAt.Time, loc),
			Lines:         linesView(r.OrderLines, r.RefundedAmount, "refunded amount", m),
			CreditInvoice: r.CreditInvoice,
		})
	}
	v.Actions = actionViews(o.OrderID, orders.Actions(o, p, now))
	return v
}
