package view

import (
	"time"

	"ordercare/internal/orders"
)

// HomeView is the start page.
type HomeView struct {
	Recent   []ResultRow // the orders this agent opened last, newest first
	Expiring []ResultRow // open authorizations expiring within ExpiringWithin, soonest first
	Notices  HomeNotices // decisions, approvals and reviews waiting for this member
	Shop     HomeShop    // orders out of step with the shop (home_shop.go)
}

// NewHomeView builds the start page.
func NewHomeView(recent, expiring []orders.IndexedOrder, now time.Time, loc *time.Location, numbers string) HomeView {
	if loc == nil {
		loc = time.UTC
	}
	var v HomeView
	for _, o := range recent {
		v.Recent = append(v.Recent, Row(o, loc, numbers))
	}
	for _, o := range expiring {
		r := Row(o, loc, numbers)
		r.ExpiresRelative = relative(o.ExpiresAt, now, loc)
		v.Expiring = append(v.Expiring, r)
	}
	return v
}
