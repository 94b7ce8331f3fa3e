// Package shopaction holds the codes of the changes the back office makes
// to a shop's order. The codes are stored (the audit log, a pair's shop
// half) and named in words on the pages; they live apart from package
// shop so that the view models, which name them, need none of the shop's
// clients or rules.
package shopaction

// The changes (audit actions).
const (
	Cancel = "shop_cancel"
	Fulfil = "shop_fulfil"
	// Address replaces the shop's shipping address, References its order
	// number (both PUT the order's address data).
	Address    = "shop_address"
	References = "shop_references"
	// CaptureFulfil reports a capture made at the payment provider to a
	// shop whose order is still authorized (the platform's capture of its
	// open authorizations, which makes the order paid) and then marks it
	// fulfilled: the shop half of a capture that leaves nothing to
	// capture.
	CaptureFulfil = "shop_capture_fulfil"
)
