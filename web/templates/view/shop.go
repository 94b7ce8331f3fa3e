package view

import (
	"strconv"
	"strings"
	"time"

	"ordercare/internal/omclient"
	"ordercare/internal/shop"
)

// ShopPanel is the order page's panel of the shop's order (the payment
// order's twin) and the warnings where the two disagree.
type ShopPanel struct {
	On       bool   // a shop is configured
	Platform string // "Elastic Path"
	// Problem is set when there is no twin to show (not found, shop down,
	// slow, credentials refused).
	Problem *shop.Problem

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

// ShopChangeForm is one change of the shop's order the panel offers.
type ShopChangeForm struct {
	Kind, Label, Path string
	Allowed           bool
	Why               string // why not, when not allowed
	Error             string // the message by the reason field after a refused submit
	Reasons           []Option
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

// ShopChangeForms are the panel's forms for the twin's current state.
// captured says the payment order is captured in full: the shop is then
// told of the capture before fulfilling an order it still has authorized.
func ShopChangeForms(orderID string, t *shop.Twin, captured bool, errAction, errMsg string) []ShopChangeForm {
	fulfil, fulfilLabel := shop.ActionFulfil, "Mark fulfilled in the shop"
	if captured && t.FulfilAction() == shop.ActionCaptureFulfil {
		fulfil, fulfilLabel = shop.ActionCaptureFulfil, "Mark paid and fulfilled in the shop"
	}
	var out []ShopChangeForm
	for _, f := range []struct{ kind, action, label, base string }{
		{"cancel", shop.ActionCancel, "Cancel in the shop", shop.ActionCancel},
		{"fulfil", fulfil, fulfilLabel, shop.ActionFulfil},
	} {
		ok, why := t.Allowed(f.action)
		form := ShopChangeForm{Kind: f.kind, Label: f.label, Path: OrderPath(orderID) + "/shop/" + f.kind, Allowed: ok, Why: why}
		if f.base == errAction {
			form.Error = errMsg
		}
		form.Reasons = ShopReasons(f.action)
		out = append(out, form)
	}
	return out
}

// shopActionOps maps a mismatch's action to the payment operation.
var shopActionOps = map[string]omclient.Operation{
	"cancel": omclient.OpCancel, "release": omclient.OpReleaseRemaining, "capture": omclient.OpCreateCapture,
}

// FromShop builds the panel from the twin (or the error of its lookup),
// with the payment order's allowed actions offered in the warnings.
func FromShop(o *omclient.Order, platform string, t *shop.Twin, err error, now time.Time, actions []ActionView, numbers string) ShopPanel {
	p := ShopPanel{On: true, Platform: platform}
	if err != nil {
		pr := shop.Describe(err, platform)
		p.Problem = &pr
		return p
	}
	m := func(v int64) string { return newMoney(v, t.Currency, numbers).Text }
	p.ID, p.Number, p.ExternalRef, p.FoundBy = t.ID, orDash(t.Number), orDash(t.ExternalRef), t.FoundBy
	p.Status, p.Payment, p.Shipping = humanize(t.Status), humanize(t.Payment), humanize(t.Shipping)
	p.Total, p.Tax, p.Paid = m(t.Total), m(t.Tax), m(t.Paid)
	for _, l := range t.Lines {
		p.Lines = append(p.Lines, ShopLine{Name: l.Name, SKU: orDash(l.SKU), Quantity: strconv.FormatInt(l.Quantity, 10),
			UnitPrice: m(l.UnitPrice), Total: m(l.Total)})
	}
	p.ShippingAddress, p.Billing = shopAddress(t.ShippingAddress), shopAddress(t.Billing)
	for _, mm := range shop.Compare(o, t, now) {
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

func shopAddress(a shop.Address) AddressView {
	var v AddressView
	for _, s := range []string{a.Name, a.Company, a.Line1, a.Line2, joinNonEmpty(" ", a.Postcode, a.City), a.Region, strings.ToUpper(a.Country)} {
		if s = strings.TrimSpace(s); s != "" {
			v.Lines = append(v.Lines, s)
		}
	}
	v.Phone = strings.TrimSpace(a.Phone)
	return v
}

// ShopReasons are the reasons offered for a change in the shop, without
// "Other" (the shop's small forms have no free text): a cancel's, and for
// marking fulfilled those of a capture (the goods shipped).
func ShopReasons(action string) []Option {
	op := omclient.OpCancel
	if action == shop.ActionFulfil || action == shop.ActionCaptureFulfil {
		op = omclient.OpCreateCapture
	}
	var out []Option
	for _, r := range ReasonsFor(string(op)) {
		if r.Value != ReasonOther {
			out = append(out, r)
		}
	}
	return out
}
