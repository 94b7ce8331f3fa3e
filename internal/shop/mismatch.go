package shop

import (
	"fmt"
	"strings"
	"time"
	"unicode"

	"ordercare/internal/money"
	"ordercare/internal/omclient"
)

// Mismatch is one way the two orders disagree, with what to do about it.
type Mismatch struct {
	Kind   string // cancelled-authorized, fulfilled-not-captured, totals, address
	Title  string
	Advice string
	// Action is the payment action that settles it: cancel, release,
	// capture, or "" when a person must decide which side is right.
	Action string
}

// Compare lists where the payment order and its twin disagree, most
// urgent first. Totals and addresses are compared only while money is
// still authorized and the shop order is not cancelled: afterwards a
// difference changes nothing.
func Compare(p *omclient.Order, t *Twin, now time.Time) []Mismatch {
	open := (p.Status == omclient.StatusAuthorized || p.Status == omclient.StatusPartCaptured) && p.RemainingAuthorizedAmount > 0
	if !open {
		return nil
	}
	cur, loc := string(p.PurchaseCurrency), string(p.Locale)
	remaining := money.Show(p.RemainingAuthorizedAmount, cur, loc)
	var out []Mismatch
	if t.Cancelled {
		m := Mismatch{Kind: "cancelled-authorized", Title: "Cancelled in the shop, but " + remaining + " is still authorized"}
		if p.CapturedAmount == 0 {
			m.Advice, m.Action = "Cancel the payment order so the customer's money is released.", "cancel"
		} else {
			m.Advice, m.Action = "Release the remaining authorization so the customer's money is freed; what was captured stays.", "release"
		}
		return append(out, m)
	}
	if t.Fulfilled {
		m := Mismatch{Kind: "fulfilled-not-captured", Title: "Shipped in the shop, but " + remaining + " is not captured", Action: "capture"}
		if exp := p.ExpiresAt.Time; !exp.IsZero() {
			left := exp.Sub(now)
			days, hours := int(left.Hours()/24), int(left.Hours())
			when := exp.UTC().Format("2 January 2006, 15:04 UTC")
			switch {
			case left <= 0:
				m.Advice = "The authorization expired on " + when + "."
				m.Action = ""
			case days < 1:
				m.Advice = fmt.Sprintf("The authorization expires in %d hour%s (%s): capture now or the money is lost.", max(hours, 1), plural(max(hours, 1)), when)
			default:
				m.Advice = fmt.Sprintf("The authorization expires in %d day%s (%s): capture now or the money is lost.", days, plural(days), when)
			}
		} else {
			m.Advice = "Capture what was shipped, or the authorization will expire and the money is lost."
		}
		out = append(out, m)
	}
	if t.Currency != "" && (t.Currency != cur || t.Total != p.OrderAmount) {
		out = append(out, Mismatch{Kind: "totals",
			Title:  "The totals differ: " + money.Show(t.Total, t.Currency, loc) + " in the shop, " + money.Show(p.OrderAmount, cur, loc) + " in the payment order",
			Advice: "Find out which is right; lower the payment order's amount, or correct the shop's order, before capturing."})
	}
	if pa := p.ShippingAddress; pa != nil && t.ShippingAddress != (Address{}) && !sameAddress(pa, t.ShippingAddress) {
		out = append(out, Mismatch{Kind: "address",
			Title:  "The shipping addresses differ",
			Advice: "Confirm the address with the customer and correct the system that is wrong, so the parcel and the invoice go to the same place."})
	}
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// sameAddress compares what decides where a parcel goes: street lines,
// postcode, city and country, ignoring case, spacing and punctuation.
func sameAddress(p *omclient.Address, t Address) bool {
	return norm(string(p.StreetAddress)) == norm(t.Line1) &&
		norm(string(p.StreetAddress2)) == norm(t.Line2) &&
		norm(string(p.PostalCode)) == norm(t.Postcode) &&
		norm(string(p.City)) == norm(t.City) &&
		norm(string(p.Country)) == norm(t.Country)
}

func norm(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}
