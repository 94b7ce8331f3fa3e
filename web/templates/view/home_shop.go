package view

import (
	"time"

	"ordercare/internal/orders"
)

// ShopExpiringWithin is how soon an authorization must expire for an
// order shipped in the shop but not captured to be listed on the start
// page: capture within a week or the money is lost.
const ShopExpiringWithin = 7 * 24 * time.Hour

// HomeShop is the start page's list of orders whose payment and shop
// states disagree, from the index's last read of each twin.
type HomeShop struct {
	On       bool // a shop is configured
	Platform string
	Rows     []ShopMismatchRow
}

// ShopMismatchRow is one such order and what disagrees.
type ShopMismatchRow struct {
	ResultRow
	Kind, Title string
	ShopRead    Time
}

var shopMismatchTitles = map[string]string{
	"cancelled-authorized":   "Cancelled in the shop, money still authorized",
	"fulfilled-not-captured": "Shipped in the shop, not captured",
	"address":                "The shipping addresses differ",
}

// NewHomeShop builds the list; numbers is the member's money format (as Row takes it).
func NewHomeShop(ms []orders.ShopMismatch, platform string, now time.Time, loc *time.Location, numbers string) HomeShop {
	if loc == nil {
		loc = time.UTC
	}
	v := HomeShop{On: true, Platform: platform}
	for _, m := range ms {
		r := ShopMismatchRow{ResultRow: Row(m.IndexedOrder, loc, numbers), Kind: m.Kind, Title: shopMismatchTitles[m.Kind], ShopRead: newTime(m.ShopReadAt, loc)}
		if m.Kind == "fulfilled-not-captured" && !m.ExpiresAt.IsZero() {
			r.Title += ": the authorization expires " + relative(m.ExpiresAt, now, loc)
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}
