package view

import "ordercare/internal/shop"

// Fields of a payment form's "also in the shop" choice. The hidden field
// says the choice was shown, so an unticked box (which browsers do not
// send) is told apart from a form that never offered it.
const (
	FieldAlsoShop      = "also_shop"
	FieldAlsoShopShown = "also_shop_shown"
)

// ShopAlso is a payment form's offer to make the same change to the
// shop's order: a ticked box when the twin allows it, else a note saying
// why only the payment order changes.
type ShopAlso struct {
	Label   string // "Also cancel the order in the shop"
	Detail  string // "Elastic Path order SO-1042"
	Checked bool
	// Unavailable says why there is no box (the shop's state, the shop
	// unreachable); the payment change is sent alone.
	Unavailable string
}

// ShopAlsoLabels name each shop change as a payment form offers it.
var ShopAlsoLabels = map[string]string{
	shop.ActionCancel:     "Also cancel the order in the shop",
	shop.ActionAddress:    "Also change the shipping address in the shop",
	shop.ActionReferences: "Also set the shop's order number to the new reference",
	shop.ActionFulfil:     "Also mark the order fulfilled in the shop once everything is captured",
	// The shop still has the payment authorized: it is told of the
	// capture first, as it fulfils only paid orders.
	shop.ActionCaptureFulfil: "Also mark the order paid and fulfilled in the shop once everything is captured",
}

// ShopMissingLabels are the buttons that send a missing shop half again.
var ShopMissingLabels = map[string]string{
	shop.ActionCancel:        "Also cancel in the shop",
	shop.ActionAddress:       "Also change the address in the shop",
	shop.ActionReferences:    "Also set the order number in the shop",
	shop.ActionFulfil:        "Also mark fulfilled in the shop",
	shop.ActionCaptureFulfil: "Also mark paid and fulfilled in the shop",
}

// shopActionNames name the shop's changes in the History and the audit
// trail, so they read as what happened rather than as the action's code.
var shopActionNames = map[string]string{
	shop.ActionCancel:        "Cancel in the shop",
	shop.ActionFulfil:        "Mark fulfilled in the shop",
	shop.ActionCaptureFulfil: "Mark paid and fulfilled in the shop",
	shop.ActionAddress:       "Change the shipping address in the shop",
	shop.ActionReferences:    "Set the order number in the shop",
}

// ShopCheckHints say what the shop's panel shows once a shop change is
// made, so an agent can tell after a lost answer.
var ShopCheckHints = map[string]string{
	shop.ActionCancel:        "its status reads Cancelled",
	shop.ActionFulfil:        "its shipping reads Fulfilled",
	shop.ActionCaptureFulfil: "its payment reads Paid and its shipping Fulfilled",
	shop.ActionAddress:       "its shipping address is the new one",
	shop.ActionReferences:    "its order number is the new one",
}

// ShopMissing is a payment change made without its shop half (failed,
// refused or unknown), offered again on the order page.
type ShopMissing struct {
	PairID string
	// What says what was done and what was not ("The payment order was
	// cancelled on 7 Dec 2026, 02:55 UTC, but not the shop's order").
	What, Why   string
	Label, Path string
	Action      string
	MayResend   bool // the viewer may change orders
	CSRF        string
}

// shopApprovalVerbs say what a shop half does, for the approver.
var shopApprovalVerbs = map[string]string{
	shop.ActionCancel:        "cancel",
	shop.ActionAddress:       "change the shipping address of",
	shop.ActionReferences:    "change the order number of",
	shop.ActionFulfil:        "mark fulfilled",
	shop.ActionCaptureFulfil: "mark paid and fulfilled",
}

// ShopApprovalText is the approval page's line about a request's shop
// half.
func ShopApprovalText(action, shopOrderID string) string {
	return "Approving also " + shopApprovalVerbs[action] + " the shop's order (" + shopOrderID +
		") once the payment change succeeds, as its own recorded attempt."
}
