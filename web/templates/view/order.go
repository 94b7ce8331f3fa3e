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

// AmountsView is the order's money at a glance.
type AmountsView struct {
	Original   Money
	Current    Money
	Captured   Money
	Refunded   Money
	Remaining  Money // remaining authorized: still capturable
	Refundable Money // captured − refunded
}

// LineView is one order line.
type LineView struct {
	Reference string
	Name      string
	Type      string // "Physical", "Shipping fee"
	Quantity  string // "2 pcs"
	UnitPrice Money
	Discount  Money
	TaxRate   string // "25 %"
	Tax       Money
	Total     Money
}

// LinesView is a table of lines with its totals row.
type LinesView struct {
	Rows     []LineView
	Discount Money // sum of line discounts
	Tax      Money // sum of line taxes
	Total    Money // sum of line totals
	// Mismatch is set when the lines do not add up to the amount they
	// belong to (the order amount, a capture's or refund's amount), which
	// an agent must know before changing anything.
	Mismatch string
}

// AddressView is an address as lines of text.
type AddressView struct {
	Lines []string // name, organisation, attention, street, postal code + city, region, country
	Email string
	Phone string
}

// Empty reports whether the provider sent no address.
func (a AddressView) Empty() bool { return len(a.Lines) == 0 && a.Email == "" && a.Phone == "" }

// ShippingInfoView is one shipment's tracking data. A tracking link is
// only ever set to an absolute http(s) URL; other values stay text.
type ShippingInfoView struct {
	Company              string
	Method               string
	MethodCode           string // the provider's code, for the tooltip
	TrackingNumber       string
	TrackingHref         string // safe link, or ""
	TrackingText         string // the URI as sent, shown when it is not a safe link
	ReturnCompany        string
	ReturnTrackingNumber string
	ReturnTrackingHref   string
	ReturnTrackingText   string
}

// CaptureView is one capture.
type CaptureView struct {
	ID                string
	ProviderReference string // "K4MADNY-1"
	Reference         string // the merchant's reference of the capture
	Description       string
	Amount            Money
	Refunded          Money
	Time              Time
	Lines             LinesView
	ShippingInfo      []ShippingInfoView
	Actions           []ActionView
}

// RefundView is one refund.
type RefundView struct {
	ID            string
	Amount        Money
	Description   string
	Reference     string
	Time          Time
	Lines         LinesView
	CreditInvoice bool
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

func paymentCode(pm *omclient.InitialPaymentMethod) string {
	if pm == nil {
		return ""
	}
	return string(pm.Type)
}

// PaymentTypeText is the payment method's type in words, as the order
// page writes it ("Pay later in parts" for PAY_LATER_IN_PARTS), or
// "unknown".
func PaymentTypeText(pm *omclient.InitialPaymentMethod) string {
	if pm == nil || humanize(string(pm.Type)) == "" {
		return "unknown"
	}
	return humanize(string(pm.Type))
}

func paymentMethod(pm *omclient.InitialPaymentMethod) string {
	if pm == nil {
		return "–"
	}
	typ, desc := humanize(string(pm.Type)), strings.TrimSpace(string(pm.Description))
	if strings.EqualFold(typ, desc) {
		desc = "" // "Card · Card" says nothing twice
	}
	s := joinNonEmpty(" · ", typ, desc)
	if pm.NumberOfInstallments > 0 {
		s = joinNonEmpty(" · ", s, plural(int(pm.NumberOfInstallments), "instalment"))
	}
	return orDash(s)
}

// linesView builds a lines table and checks it against amount, the total
// the lines belong to; lines are optional on captures and refunds, so an
// empty list is never a mismatch.
func linesView(lines []omclient.OrderLine, amount int64, amountName string, m func(int64) Money) LinesView {
	var lv LinesView
	var disc, tax, total int64
	for _, l := range lines {
		lv.Rows = append(lv.Rows, LineView{
			Reference: orDash(string(l.Reference)),
			Name:      string(l.Name),
			Type:      orDash(humanize(string(l.Type))),
			Quantity:  quantity(l.Quantity, string(l.QuantityUnit)),
			UnitPrice: m(l.UnitPrice),
			Discount:  m(l.TotalDiscountAmount),
			TaxRate:   TaxRate(l.TaxRate),
			Tax:       m(l.TotalTaxAmount),
			Total:     m(l.TotalAmount),
		})
		disc += l.TotalDiscountAmount
		tax += l.TotalTaxAmount
		total += l.TotalAmount
	}
	lv.Discount, lv.Tax, lv.Total = m(disc), m(tax), m(total)
	if len(lines) > 0 && total != amount {
		lv.Mismatch = "The lines add up to " + m(total).Text + ", the " + amountName + " is " + m(amount).Text + "."
	}
	return lv
}

func addressView(a *omclient.Address) AddressView {
	if a == nil {
		return AddressView{}
	}
	var v AddressView
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			v.Lines = append(v.Lines, s)
		}
	}
	add(joinNonEmpty(" ", string(a.Title), string(a.GivenName), string(a.FamilyName)))
	add(string(a.OrganizationName))
	if att := strings.TrimSpace(string(a.Attention)); att != "" {
		add("Attn: " + att)
	}
	add(string(a.StreetAddress))
	add(string(a.StreetAddress2))
	add(joinNonEmpty(" ", string(a.PostalCode), string(a.City)))
	add(string(a.Region))
	add(CountryName(strings.ToUpper(string(a.Country))))
	v.Email = strings.TrimSpace(string(a.Email))
	v.Phone = strings.TrimSpace(string(a.Phone))
	return v
}

func customerFields(c *omclient.Customer) []Field {
	if c == nil {
		return nil
	}
	var out []Field
	add := func(label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, Field{Label: label, Value: value})
		}
	}
	add("Type", humanize(string(c.Type)))
	add("Date of birth", string(c.DateOfBirth))
	if id := strings.TrimSpace(string(c.NationalIdentificationNumber)); id != "" {
		add("National identity number", maskID(id))
	}
	add("VAT id", string(c.VatID))
	add("Organisation type", humanize(string(c.OrganizationEntityType)))
	add("Organisation number", string(c.OrganizationRegistrationID))
	return out
}

func shippingOptionFields(s *omclient.SelectedShippingOption, m func(int64) Money) []Field {
	if s == nil {
		return nil
	}
	var out []Field
	add := func(label, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, Field{Label: label, Value: value})
		}
	}
	add("Option", string(s.Name))
	carrier := string(s.Carrier)
	if s.CarrierProduct != nil {
		carrier = joinNonEmpty(" · ", carrier, string(s.CarrierProduct.Name))
	}
	add("Carrier", carrier)
	add("Method", humanize(string(s.Method)))
	add("Price", m(s.Price).Text)
	if s.Location != nil {
		loc := string(s.Location.Name)
		if a := s.Location.Address; a != nil {
			loc = joinNonEmpty(", ", loc, string(a.StreetAddress), joinNonEmpty(" ", string(a.PostalCode), string(a.City)))
		}
		add("Pick-up point", loc)
	}
	if s.Timeslot != nil {
		add("Time slot", joinNonEmpty(" – ", string(s.Timeslot.Start), string(s.Timeslot.End)))
	}
	add("TMS reference", string(s.TMSReference))
	return out
}

func shippingInfoViews(infos []omclient.ShippingInfo) []ShippingInfoView {
	out := make([]ShippingInfoView, 0, len(infos))
	for _, s := range infos {
		v := ShippingInfoView{
			Company:              orDash(string(s.ShippingCompany)),
			Method:               orDash(shippingMethodName(string(s.ShippingMethod))),
			MethodCode:           string(s.ShippingMethod),
			TrackingNumber:       orDash(string(s.TrackingNumber)),
			ReturnCompany:        string(s.ReturnShippingCompany),
			ReturnTrackingNumber: string(s.ReturnTrackingNumber),
		}
		v.TrackingHref = safeHref(string(s.TrackingURI))
		if v.TrackingHref == "" {
			v.TrackingText = strings.TrimSpace(string(s.TrackingURI))
		}
		v.ReturnTrackingHref = safeHref(string(s.ReturnTrackingURI))
		if v.ReturnTrackingHref == "" {
			v.ReturnTrackingText = strings.TrimSpace(string(s.ReturnTrackingURI))
		}
		out = append(out, v)
	}
	return out
}
