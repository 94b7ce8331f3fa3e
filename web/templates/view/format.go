// Package view turns what the back office knows (provider orders, index
// rows, provider errors) into view models shaped like the screen, so that
// the templ templates only place values and never reshape data. Every
// string here is plain text; templ escapes it when it is written.
package view

import (
	"strings"
	"time"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// Money is an amount with its display text.
type Money struct {
	Minor    int64  // minor units
	Currency string // ISO 4217
	Text     string // "1 234,50 SEK", "€12.50"
}

// newMoney is every amount the back office shows: in the reader's number
// format (numbers, a language tag: their setting or their browser's
// language) with a currency that cannot be mistaken (money.Show).
func newMoney(amount int64, currency, numbers string) Money {
	return Money{Minor: amount, Currency: currency, Text: money.Show(amount, currency, numbers)}
}

// Time is a timestamp shown in the agent's zone, with the machine-readable
// value for <time datetime>.
type Time struct {
	Text string // "2 Mar 2026, 14:05 CET"; "" when unknown
	ISO  string // RFC 3339 in UTC, for the datetime attribute
}

// timeLayout is day-first with a month name, unambiguous for agents in any
// country.
const timeLayout = "2 Jan 2006, 15:04 MST"

func newTime(t time.Time, loc *time.Location) Time {
	if t.IsZero() {
		return Time{}
	}
	return Time{Text: t.In(loc).Format(timeLayout), ISO: t.UTC().Format(time.RFC3339)}
}

// Badge is a status shown as coloured text: the colour comes from Class,
// the meaning is always in Text.
type Badge struct {
	Text  string // "Part captured"
	Class string // "badge badge-part_captured"
	Value string // the raw value, "PART_CAPTURED", for data attributes
}

// statusTexts are the order statuses in words.
var statusTexts = map[omclient.Status]string{
	omclient.StatusAuthorized:   "Authorized",
	omclient.StatusPartCaptured: "Part captured",
	omclient.StatusCaptured:     "Captured",
	omclient.StatusCancelled:    "Cancelled",
	omclient.StatusExpired:      "Expired",
	omclient.StatusClosed:       "Closed",
}

// StatusText is an order status in words ("Part captured").
func StatusText(s omclient.Status) string {
	if t, ok := statusTexts[s]; ok {
		return t
	}
	if s == "" {
		return "Unknown"
	}
	return humanize(string(s))
}

// statusBadge is the badge of an order status.
func statusBadge(s omclient.Status) Badge {
	class := "unknown"
	if _, ok := statusTexts[s]; ok {
		class = strings.ToLower(string(s))
	}
	return Badge{Text: StatusText(s), Class: "badge badge-" + class, Value: string(s)}
}

// fraudBadge is the badge of a fraud status; the zero Badge when the
// provider sent none.
func fraudBadge(f omclient.FraudStatus) Badge {
	switch f {
	case "":
		return Badge{}
	case omclient.FraudAccepted:
		return Badge{Text: "Fraud check: accepted", Class: "badge badge-accepted", Value: string(f)}
	case omclient.FraudPending:
		return Badge{Text: "Fraud check: pending review", Class: "badge badge-pending", Value: string(f)}
	case omclient.FraudRejected:
		return Badge{Text: "Fraud check: rejected", Class: "badge badge-rejected", Value: string(f)}
	}
	return Badge{Text: "Fraud check: " + humanize(string(f)), Class: "badge badge-unknown", Value: string(f)}
}

// ProviderName is the provider as agents know it.
func ProviderName(p omclient.Provider) string {
	switch p {
	case omclient.ProviderKlarna:
		return "Klarna"
	case omclient.ProviderKustom, "":
		return "Kustom"
	}
	return humanize(string(p))
}
