package view

import "ordercare/internal/shop/shopaction"

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
	shopaction.Cancel:     "Also cancel the order in the shop",
	shopaction.Address:    "Also change the shipping address in the shop",
	shopaction.References: "Also set the shop's order number to the new reference",
	shopaction.Fulfil:     "Also mark the order fulfilled in the shop once everything is captured",
	// The shop still has the payment authorized: it is told of the
	// capture first, as it fulfils only paid orders.
	shopaction.CaptureFulfil: "Also mark the order paid and fulfilled in the shop once everything is captured",
}

// ShopMissingLabels are the buttons that send a missing shop half again.
var ShopMissingLabels = map[string]string{
	shopaction.Cancel:        "Also cancel in the shop",
	shopaction.Address:       "Also change the address in the shop",
	shopaction.References:    "Also set the order number in the shop",
	shopaction.Fulfil:        "Also mark fulfilled in the shop",
	shopaction.CaptureFulfil: "Also mark paid and fulfilled in the shop",
}

// shopActionNames name the shop's changes in the History and the audit
// trail, so they read as what happened rather than as the action's code.
var shopActionNames = map[string]string{
	shopaction.Cancel:        "Cancel in the shop",
	shopaction.Fulfil:        "Mark fulfilled in the shop",
	shopaction.CaptureFulfil: "Mark paid and fulfilled in the shop",
	shopaction.Address:       "Change the shipping address in the shop",
	shopaction.References:    "Set the order number in the shop",
}

// ShopCheckHints say what the shop's panel shows once a shop change is
// made, so an agent can tell after a lost answer.
var ShopCheckHints = map[string]string{
	shopaction.Cancel:        "its status reads Cancelled",
	shopaction.Fulfil:        "its shipping reads Fulfilled",
	shopaction.CaptureFulfil: "its payment reads Paid and its shipping Fulfilled",
	shopaction.Address:       "its shipping address is the new one",
	shopaction.References:    "its order number is the new one",
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
	shopaction.Cancel:        "cancel",
	shopaction.Address:       "change the shipping address of",
	shopaction.References:    "change the order number of",
	shopaction.Fulfil:        "mark fulfilled",
	shopaction.CaptureFulfil: "mark paid and fulfilled",
}

// ShopApprovalText is the approval page's line about a request's shop
// half.
func ShopApprovalText(action, shopOrderID string) string {
	return "Approving also " + shopApprovalVerbs[action] + " the shop's order (" + shopOrderID +
		") once the payment change succeeds, as its own recorded attempt."
}
