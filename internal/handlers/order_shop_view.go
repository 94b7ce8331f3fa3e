package handlers

import (
	"ordercare/internal/shop"
	"ordercare/web/templates/view"
)

// The shop panel's values: the shop package's twin, comparison and
// allowed changes turned into the view's plain types.

// shopTwinView hands the panel the twin as plain values. The conversions
// of the address and line types stop compiling when package shop's types
// gain a field the panel's do not have, so none is dropped unseen.
func shopTwinView(t *shop.Twin) view.ShopTwin {
	v := view.ShopTwin{ID: t.ID, Number: t.Number, ExternalRef: t.ExternalRef, FoundBy: t.FoundBy,
		Status: t.Status, Payment: t.Payment, Shipping: t.Shipping, Currency: t.Currency, Total: t.Total, Tax: t.Tax, Paid: t.Paid,
		ShippingAddress: view.ShopAddress(t.ShippingAddress), Billing: view.ShopAddress(t.Billing)}
	for _, l := range t.Lines {
		v.Lines = append(v.Lines, view.ShopTwinLine(l))
	}
	return v
}

// shopMismatches hands the panel the shop package's comparison, most
// urgent first as it is.
func shopMismatches(ms []shop.Mismatch) []view.ShopMismatch {
	var out []view.ShopMismatch
	for _, m := range ms {
		out = append(out, view.ShopMismatch(m))
	}
	return out
}

// shopChoices judges the panel's changes on the twin's current state.
// captured says the payment order is captured in full: the shop is then
// told of the capture before fulfilling an order it still has authorized.
// fe is a refused submit's message, shown at the form of its action.
func shopChoices(t *shop.Twin, captured bool, fe shopFormError) []view.ShopChoice {
	fulfil := shop.ActionFulfil
	if captured && t.FulfilAction() == shop.ActionCaptureFulfil {
		fulfil = shop.ActionCaptureFulfil
	}
	var out []view.ShopChoice
	for _, f := range []struct{ kind, action, base string }{
		{"cancel", shop.ActionCancel, shop.ActionCancel},
		{"fulfil", fulfil, shop.ActionFulfil},
	} {
		ok, why := t.Allowed(f.action)
		ch := view.ShopChoice{Kind: f.kind, Action: f.action, Allowed: ok, Why: why}
		if f.base == fe.action {
			ch.Error = fe.msg
		}
		out = append(out, ch)
	}
	return out
}
