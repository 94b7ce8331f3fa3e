package view

import (
	"time"

	"ordercare/internal/orders"
)

// ResultRow is one order in a list (search results, recently viewed,
// expiring soon), from the local index.
type ResultRow struct {
	ID                 string
	Href               string
	Status             Badge
	Amount             Money
	Remaining          Money
	ProviderReference  string
	MerchantReference1 string
	MerchantReference2 string
	Customer           string
	Email              string
	Created            Time
	Expires            Time
	ExpiresRelative    string // "in 2 days"; set in the expiring-soon list
	Viewed             Time   // set in the recently-viewed list
	// Matched names the field a search matched, such as "Capture
	// reference: DN-855912"; "" outside search results.
	Matched string
	// LastRead is when the order was last read from the provider (index
	// rows are as true as that read; the background refresh keeps open
	// orders recent).
	LastRead Time
}

// Row is one index row as a list row.
func Row(o orders.IndexedOrder, loc *time.Location, numbers string) ResultRow {
	return ResultRow{
		ID:                 o.OrderID,
		Href:               OrderPath(o.OrderID),
		Status:             statusBadge(o.Status),
		Amount:             newMoney(o.Amount, o.Currency, numbers),
		Remaining:          newMoney(o.RemainingAuthorized, o.Currency, numbers),
		ProviderReference:  orDash(o.KlarnaReference),
		MerchantReference1: orDash(o.MerchantReference1),
		MerchantReference2: o.MerchantReference2,
		Customer:           orDash(o.CustomerName),
		Email:              o.Email,
		Created:            newTime(o.CreatedAt, loc),
		Expires:            newTime(o.ExpiresAt, loc),
		Viewed:             newTime(o.ViewedAt, loc),
		LastRead:           newTime(o.LastReadAt, loc),
		Matched:            matchedText(o.Matched),
	}
}

func matchedText(m orders.MatchedField) string {
	if m.Kind == "" {
		return ""
	}
	return m.Kind.Label() + ": " + m.Value
}
