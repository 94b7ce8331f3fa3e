package view

import (
	"strings"
	"time"

	"ordercare/internal/omclient"
)

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

// orderHeader is the order page's header: references, times in the
// agent's zone loc, and how near the authorization's expiry is at now.
func orderHeader(o *omclient.Order, now time.Time, loc *time.Location) HeaderView {
	cur := o.PurchaseCurrency.String()
	lc := string(o.Locale)
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
	return h
}
