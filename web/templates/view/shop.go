package view

import (
	"strconv"
	"strings"

	"ordercare/internal/omclient"
)

// ShopPanel is the order page's panel of the shop's order (the payment
// order's twin) and the warnings where the two disagree.
type ShopPanel struct {
	On       bool   // a shop is configured
	Platform string // "Elastic Path"
	// Problem is set when there is no twin to show (not found, shop down,
	// slow, credentials refused).
	Problem *ShopProblem

	ID, Number, ExternalRef, FoundBy string
	Status, Payment, Shipping        string
	Total, Tax, Paid                 string
	Lines                            []ShopLine
	ShippingAddress, Billing         AddressView
	Warnings                         []ShopWarning
	// Changes are the panel's own forms (cancel or mark fulfilled in the
	// shop), set by the handler for members who may change orders.
	Changes []ShopChangeForm
	CSRF    string
	// ReadOnly: the platform's API only reads; the panel says changes are
	// made in the shop's own back office.
	ReadOnly bool
	// ReconnectHref links an admin to the connect page when the shop's
	// authorization was lost.
	ReconnectHref string
	// Missing are payment changes whose shop half did not succeed, each
	// offered again (shop_also.go).
	Missing []ShopMissing
}

// ShopLine is one item of the shop's order.
type ShopLine struct {
	Name, SKU, Quantity, UnitPrice, Total string
}

// ShopWarning is a mismatch with what to do; ActionHref is the payment
// action's form when it is possible now.
type ShopWarning struct {
	Kind, Title, Advice     string
	ActionLabel, ActionHref string
}

// shopActionOps maps a mismatch's action to the payment operation.
var shopActionOps = map[string]omclient.Operation{
	"cancel": omclient.OpCancel, "release": omclient.OpReleaseRemaining, "capture": omclient.OpCreateCapture,
}

// ShopProblemPanel is the panel when there is no twin to show.
func ShopProblemPanel(platform string, pr ShopProblem) ShopPanel {
	return ShopPanel{On: true, Platform: platform, Problem: &pr}
}

// FromShop builds the panel from the twin and where it disagrees with the
// payment order, with the payment order's allowed actions offered in the
// warnings.
func FromShop(platform string, t ShopTwin, mismatches []ShopMismatch, actions []ActionView, numbers string) ShopPanel {
	p := ShopPanel{On: true, Platform: platform}
	m := func(v int64) string { return newMoney(v, t.Currency, numbers).Text }
	p.ID, p.Number, p.ExternalRef, p.FoundBy = t.ID, orDash(t.Number), orDash(t.ExternalRef), t.FoundBy
	p.Status, p.Payment, p.Shipping = humanize(t.Status), humanize(t.Payment), humanize(t.Shipping)
	p.Total, p.Tax, p.Paid = m(t.Total), m(t.Tax), m(t.Paid)
	for _, l := range t.Lines {
		p.Lines = append(p.Lines, ShopLine{Name: l.Name, SKU: orDash(l.SKU), Quantity: strconv.FormatInt(l.Quantity, 10),
			UnitPrice: m(l.UnitPrice), Total: m(l.Total)})
	}
	p.ShippingAddress, p.Billing = shopAddress(t.ShippingAddress), shopAddress(t.Billing)
	for _, mm := range mismatches {
		w := ShopWarning{Kind: mm.Kind, Title: mm.Title, Advice: mm.Advice}
		if op, ok := shopActionOps[mm.Action]; ok {
			for _, a := range actions {
				if a.Op == string(op) && a.Allowed {
					w.ActionLabel, w.ActionHref = a.Label, a.Href
				}
			}
		}
		p.Warnings = append(p.Warnings, w)
	}
	return p
}

func shopAddress(a ShopAddress) AddressView {
	var v AddressView
	for _, s := range []string{a.Name, a.Company, a.Line1, a.Line2, joinNonEmpty(" ", a.Postcode, a.City), a.Region, strings.ToUpper(a.Country)} {
		if s = strings.TrimSpace(s); s != "" {
			v.Lines = append(v.Lines, s)
		}
	}
	v.Phone = strings.TrimSpace(a.Phone)
	return v
}
