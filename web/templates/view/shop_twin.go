package view

// What the handler hands the shop panel (shop.go) of the shop's read, as
// plain values of view's own.

// ShopProblem is what the panel says when there is no twin to show, as
// the shop's package words its lookup error.
type ShopProblem struct {
	Kind    string // no-reference, not-found, not-connected, unreachable, slow, refused-token, refused, unreadable
	Heading string
	Detail  string
}

// ShopTwin is what the panel shows of the shop's order, handed over by the
// handler as plain values: the view formats them and needs none of the
// shop's clients or rules.
type ShopTwin struct {
	ID, Number, ExternalRef, FoundBy string
	// Status, Payment and Shipping are the platform's own words.
	Status, Payment, Shipping string
	Currency                  string
	Total, Tax, Paid          int64 // minor units
	Lines                     []ShopTwinLine
	ShippingAddress, Billing  ShopAddress
}

// ShopTwinLine is one item of the shop's order, amounts in minor units.
type ShopTwinLine struct {
	Name, SKU                  string
	Quantity, UnitPrice, Total int64
}

// ShopAddress is the shop's copy of an address.
type ShopAddress struct {
	Name, Company, Line1, Line2, Postcode, City, Region, Country, Phone string
}

// ShopMismatch is one way the two orders disagree, as the shop's package
// found it; Action is the payment action that settles it (cancel,
// release, capture) or "".
type ShopMismatch struct {
	Kind, Title, Advice, Action string
}
